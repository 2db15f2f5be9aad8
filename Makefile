# lastgasp — build, test, demo. Works on a fresh machine: the targets install what they need
# (npm dependencies; tshark through apt-get when missing, as root).

NPM_STAMP := node_modules/.installed

.PHONY: all build native test demo bench deps clean

all: build native

# npm install, not npm ci: the wasmtime binding lists optional per-platform packages that
# were never published, which npm ci refuses as "missing from lock file".
$(NPM_STAMP): package.json package-lock.json
	npm install --no-audit --no-fund --ignore-scripts
	@touch $@

# Release and debug cores; prints their sizes.
build: $(NPM_STAMP)
	node scripts/build-core.js

# The raw-socket addon behind `lastgasp send` (host/native/rawsock.c): node-gyp with the
# local Node headers, never a download. Linux only.
native: $(NPM_STAMP)
	node scripts/build-native.js

# System tools the tests use as independent judges.
deps:
	@scripts/install-deps.sh

test: deps build native
	node test/run.js

demo: build
	node bin/lastgasp.js demo

bench: build
	node bench/run.js

clean:
	rm -rf build out host/native/build
