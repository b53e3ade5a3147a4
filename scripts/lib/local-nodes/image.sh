# shellcheck shell=bash
# The node image, rebuilt when its recipe changes. Sourced by scripts/local-nodes.sh.

image_recipe_hash() {
  { declare -p NODE_SUITE NODE_PACKAGES NODE_IMAGE_PACKAGES; cat "$ROOT/scripts/lib/node-image.sh"; } | sha1sum | cut -c1-12
}

ensure_image() {
  local want have
  want=$(image_recipe_hash)
  have=$(docker image inspect -f '{{ index .Config.Labels "bingo.recipe" }}' "$NODE_IMAGE" 2>/dev/null || true)
  if [[ $have == "$want" ]]; then
    return 0
  fi
  local mirror
  mirror=$(mirror_url)
  step "Building the node image $NODE_IMAGE (Debian $NODE_SUITE with debootstrap, about a minute)"
  "$ROOT/scripts/lib/node-image.sh" "$NODE_IMAGE" "$NODE_SUITE" "$mirror" "$NODE_PACKAGES" "$NODE_IMAGE_PACKAGES" "$want" "$(mirror_addhost)"
}
