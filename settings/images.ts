// Which OS release each image family of Yandex Cloud's public images
// (folder standard-images) is. The cloud VMs and the local nodes must run the same
// release (the frontend's nginx needs 1.25+ for `http2 on;` and QUIC), so the
// default family is checked against the local nodes' Debian suite in the tests.

export interface OsRelease {
  readonly distribution: "Debian" | "Ubuntu";
  readonly version: string;
  /** The suite (Debian) or series (Ubuntu) name, as debootstrap and apt know it. */
  readonly codename: string;
}

/** Public image families the roles have OS variables for. */
export const IMAGE_FAMILY_RELEASE: Readonly<Record<string, OsRelease>> = {
  "debian-13": { distribution: "Debian", version: "13", codename: "trixie" },
  "debian-12": { distribution: "Debian", version: "12", codename: "bookworm" },
  "ubuntu-2404-lts": { distribution: "Ubuntu", version: "24.04", codename: "noble" },
};

/** The cloud's default: Debian 13, the release of the local nodes (scripts/lib/local-nodes.conf NODE_SUITE). */
export const DEFAULT_IMAGE_FAMILY = "debian-13";
