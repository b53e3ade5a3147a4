# Every target is a thin call into scripts/; run `make help` for the list.
# With Yandex Cloud credentials (YC_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE, plus
# settings.yaml) the deploy targets act on the cloud; without them, on local nodes.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE ?= app1
MODE ?= stop

##@ Deploy
deploy: ## Deploy the whole installation (cloud with credentials, else local nodes)
	@scripts/deploy.sh

clean: ## Tear down whatever was deployed (cloud stacks or local nodes)
	@scripts/clean.sh

diff: ## What a change does to the cloud stacks (offline vs BASE, default the merge-base with main; the plans too with credentials)
	@scripts/cloud.sh diff

synth: deps ## Synthesize the cloud stacks into cdktf.out/
	@scripts/synth.sh

gen: deps ## Regenerate the typed Yandex bindings from schema/
	@scripts/gen-bindings.sh

bingo: deps ## Build the bingo stand-in into build/bingo
	@scripts/build-bingo.sh

##@ Test
test: ## Everything: unit tests, offline validate, lint, stand-in, local install, acceptance smoke
	@scripts/run-tests.sh all

test-unit: ## Fast checks only: types, lint, unit tests, offline terraform validate, ansible-lint
	@scripts/run-tests.sh unit

validate: synth ## terraform validate every synthesized stack offline
	@scripts/validate.sh

lint: deps ## Type-check and lint TypeScript, ansible-lint the playbooks
	@scripts/run-tests.sh lint

acceptance: ## Run the customer's checks against the deployment (PROFILE=full|smoke, URL=...)
	@scripts/acceptance.sh

##@ Inspect and break
status: ## Show the local nodes and what answers on them
	@scripts/local-nodes.sh status

node-down: ## Break a local node: make node-down NODE=app1 MODE=stop|kill|pause|isolate
	@scripts/local-nodes.sh down "$(NODE)" "$(MODE)"

node-up: ## Bring a broken local node back: make node-up NODE=app1
	@scripts/local-nodes.sh up "$(NODE)"

##@ Housekeeping
deps: ## Install the pinned npm dependencies when package-lock.json changed
	@scripts/npm-deps.sh

help: ## List the targets
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-z-]+:.*##/ {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: deploy clean diff synth gen bingo test test-unit validate lint acceptance status node-down node-up deps help
