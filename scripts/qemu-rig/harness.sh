#!/bin/sh
# Builds the guest harness: build/core.wasm -> wasm2c -> C, compiled with gcc (static, so the
# initramfs needs no libc) against wabt's runtime, linked with scripts/qemu-rig/guest/harness.c.
# usage: scripts/qemu-rig/harness.sh OUT_DIR   (writes OUT_DIR/harness)
set -e
out=${1:?usage: harness.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
rt=/usr/share/wabt/wasm2c
for tool in wasm2c gcc; do
  command -v $tool >/dev/null 2>&1 || { echo "qemu-rig: $tool missing: run scripts/install-deps.sh as root" >&2; exit 1; }
done
[ -f $rt/wasm-rt-impl.c ] || { echo "qemu-rig: $rt/wasm-rt-impl.c missing (Debian package wabt)" >&2; exit 1; }
[ -f "$root/build/core.wasm" ] || { echo "qemu-rig: build/core.wasm missing: run make build" >&2; exit 1; }
mkdir -p "$out/src"
src="$out/src"
# make sees a new build/core.wasm on every `make build`; rebuild only when an input changed.
inputs="$root/build/core.wasm $root/scripts/qemu-rig/guest/harness.c $0 $root/scripts/wasm2c-core.sh $root/scripts/wasm2c-core.h $root/assembly/shared/regop.ts $root/assembly/shared/memmap.ts"
sum=$(cat $inputs | sha256sum | cut -d' ' -f1)
if [ -x "$out/harness" ] && [ "$(cat "$src/inputs.sha256" 2>/dev/null)" = "$sum" ]; then
  touch "$out/harness"
  exit 0
fi
# core.c, core.h and the export table exports.inc (scripts/wasm2c-core.sh).
"$root/scripts/wasm2c-core.sh" "$src" "$root/build/core.wasm"
# The protocol constants, from the one place they are declared.
cat "$root/assembly/shared/regop.ts" "$root/assembly/shared/memmap.ts" |
  sed -n 's/^export const \([A-Z0-9_]*\) = \(0x[0-9a-fA-F_]*\|[0-9_]*\);.*/\1 \2/p' |
  while read -r name value; do echo "#define $name $(echo "$value" | tr -d _)"; done > "$src/shared.h"
# Explicit bounds checks against the memory's size instead of guard pages: the harness
# replaces the memory's data pointer with a /dev/mem mapping, which has no guard region.
cflags="-std=gnu11 -O2 -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I $src -I $rt -I $root/scripts"
gcc $cflags -w -c "$src/core.c" -o "$src/core.o" # generated code: its warnings are not ours
gcc $cflags -w -c $rt/wasm-rt-impl.c -o "$src/wasm-rt-impl.o"
gcc $cflags -Wall -Wextra -Werror -c "$root/scripts/qemu-rig/guest/harness.c" -o "$src/harness.o"
gcc -static "$src/harness.o" "$src/core.o" "$src/wasm-rt-impl.o" -o "$out/harness" -lm
echo "$sum" > "$src/inputs.sha256"
echo "qemu-rig: $out/harness ($(wc -l < "$src/exports.inc") exports)"
