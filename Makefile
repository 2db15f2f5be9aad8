# lastgasp — build, test, demo. Works on a fresh machine: the targets install what they need
# (npm dependencies; tshark through apt-get when missing, as root).

NPM_STAMP := node_modules/.installed

.PHONY: all build test demo bench deps clean

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# Release and debug cores; prints their sizes.
build: $(NPM_STAMP)
	node scripts/build-core.js

# System tools the tests use as independent judges.
deps:
	@scripts/install-deps.sh

test: deps build
	node test/run.js

demo: build
	node bin/lastgasp.js demo

bench: build
	node bench/run.js

clean:
	rm -rf build out
