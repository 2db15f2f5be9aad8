#!/bin/sh
# The core translated to C by wasm2c (Debian wabt), for hosts without a WASM runtime: the QEMU
# rig's guest harness (scripts/qemu-rig/harness.sh) and `lastgasp check --engine native`.
# Writes OUT_DIR/core.c, core.h and exports.inc — one table row per export,
# {"name", arity, (export_fn)Z_coreZ_name}: every export takes and returns only i32 (the
# core's contract), so a name and an arity are all a caller needs.
# usage: scripts/wasm2c-core.sh OUT_DIR [CORE.wasm]   (default build/core.wasm)
set -e
out=${1:?usage: wasm2c-core.sh OUT_DIR [CORE.wasm]}
root=$(cd "$(dirname "$0")/.." && pwd)
wasm=${2:-$root/build/core.wasm}
command -v wasm2c >/dev/null 2>&1 || { echo "wasm2c missing: install Debian's wabt (scripts/install-deps.sh, as root)" >&2; exit 1; }
[ -f "$wasm" ] || { echo "$wasm missing: run make build" >&2; exit 1; }
mkdir -p "$out"
# -n core names the module: exports become Z_coreZ_<name>(Z_core_instance_t*, u32...).
wasm2c "$wasm" -n core -o "$out/core.c"
sed -n 's/^u32 Z_coreZ_\([A-Za-z0-9_]*\)(Z_core_instance_t\*\(.*\));$/\1 \2/p' "$out/core.h" |
  awk '{ n = gsub(/u32/, "u32"); printf "{\"%s\", %d, (export_fn)Z_coreZ_%s},\n", $1, n, $1 }' > "$out/exports.inc"
