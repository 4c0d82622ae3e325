#!/usr/bin/env bash
# Builds the `binary` fuzz target's seeds (fuzz/seeds/binary) from go_plugin_like.c: a
# plugin-like shared object, stripped and section-header-less variants, PIE and non-PIE
# executables, and a non-PIE executable with the Go <= 1.17 build-info layout. Needs gcc.
set -euo pipefail
cd "$(dirname "$0")"
out=../seeds/binary
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
printf 'int main(void) { return 0; }\n' >"$tmp/main.c"
gcc -shared -fPIC -O0 -o "$out/plugin.so" go_plugin_like.c
strip -o "$out/plugin-stripped.so" "$out/plugin.so"
gcc -O0 -fPIE -pie -rdynamic -o "$out/host-pie" go_plugin_like.c "$tmp/main.c"
gcc -O0 -no-pie -rdynamic -o "$out/host-exec" go_plugin_like.c "$tmp/main.c"
gcc -O0 -no-pie -rdynamic -DOLD_BUILDINFO -o "$out/host-exec-go116" go_plugin_like.c "$tmp/main.c"
# No section headers: build info is found through the first writable segment.
python3 - "$out/plugin.so" "$out/plugin-no-shdr.so" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<Q", d, 0x28, 0)        # e_shoff
struct.pack_into("<HH", d, 0x3C, 0, 0)    # e_shnum, e_shstrndx
open(sys.argv[2], "wb").write(d)
PY
ls -l "$out"
