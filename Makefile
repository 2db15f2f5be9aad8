# lastgasp — build, test, demo. Works on a fresh machine: the targets install what they need
# (npm dependencies; tshark through apt-get when missing, as root).

NPM_STAMP := node_modules/.installed

.PHONY: all build native test demo bench deps clean qemu-rig qemu-rig-files

all: build native

# npm install, not npm ci: the wasmtime binding lists optional per-platform packages that
# were never published, which npm ci refuses as "missing from lock file".
$(NPM_STAMP): package.json package-lock.json
	npm install --no-audit --no-fund --ignore-scripts
	@touch $@

# Release and debug cores (prints their sizes), and the compiled host that bin/lastgasp.js
# runs (tsc into build/js/; only when a source is newer than the last build).
build: $(NPM_STAMP)
	node scripts/build-core.js
	node scripts/build-js.js

# The native addons (host/native/binding.gyp: the raw-socket sender behind `lastgasp send`;
# the board addon — real ports and the crash path, with the core translated by wasm2c, so it
# needs the built core and host): node-gyp with the local Node headers, never a download.
# Linux only.
native: build
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

# QEMU's e1000 as a real NIC model (docs/qemu-rig.md): the guest kernel (downloaded, not
# installed), the wasm2c-translated core linked with the guest harness, the initramfs.
# test/qemu-e1000.test.ts runs `make qemu-rig-files` itself; everything lands in build/qemu.
QEMU_RIG := build/qemu

qemu-rig: deps build qemu-rig-files

qemu-rig-files: $(QEMU_RIG)/vmlinuz $(QEMU_RIG)/initramfs.cpio $(QEMU_RIG)/modules.cpio

$(QEMU_RIG)/vmlinuz: scripts/qemu-rig/kernel.sh
	scripts/qemu-rig/kernel.sh $(QEMU_RIG)

$(QEMU_RIG)/harness: build/core.wasm scripts/qemu-rig/harness.sh scripts/wasm2c-core.sh scripts/wasm2c-core.h scripts/qemu-rig/guest/harness.c \
		assembly/shared/regop.ts assembly/shared/memmap.ts
	scripts/qemu-rig/harness.sh $(QEMU_RIG)

$(QEMU_RIG)/initramfs.cpio: $(QEMU_RIG)/harness scripts/qemu-rig/initramfs.sh scripts/qemu-rig/guest/init
	scripts/qemu-rig/initramfs.sh $(QEMU_RIG)

# Kernel modules from the same package (9p for Node inside the guest, virtio disks, MTD
# devices), appended with run.sh --cpio; guest/lgmod.sh loads them, guest/hostroot.sh mounts /.
$(QEMU_RIG)/modules.cpio: $(QEMU_RIG)/vmlinuz scripts/qemu-rig/modules.sh scripts/qemu-rig/guest/lgmod.sh scripts/qemu-rig/guest/hostroot.sh
	scripts/qemu-rig/modules.sh $(QEMU_RIG)

clean:
	rm -rf build out host/native/build
