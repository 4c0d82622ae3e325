#!/usr/bin/env bash
# Packs a built godrift binary into the release archive `cargo binstall` downloads:
#   godrift-v<version>-<target>.tgz holding godrift-v<version>-<target>/godrift
# (the layout Cargo.toml's [package.metadata.binstall] names; tests/release.rs checks both
# agree). Used by .github/workflows/release.yml for each target.
#
#   scripts/package.sh BINARY TARGET OUTDIR     # prints the archive's path
set -euo pipefail
bin=${1:?usage: scripts/package.sh BINARY TARGET OUTDIR}
target=${2:?usage: scripts/package.sh BINARY TARGET OUTDIR}
out=${3:?usage: scripts/package.sh BINARY TARGET OUTDIR}
root="$(cd "$(dirname "$0")/.." && pwd)"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
[ -n "$version" ] || { echo "package.sh: no version in Cargo.toml" >&2; exit 2; }
[ -x "$bin" ] || { echo "package.sh: $bin is not an executable" >&2; exit 2; }
name="godrift-v$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$bin" "$stage/$name/godrift"
chmod 0755 "$stage/$name/godrift"
cp "$root/README.md" "$stage/$name/"
# Reproducible: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -C "$stage" -czf "$out/$name.tgz" "$name"
(cd "$out" && sha256sum "$name.tgz" >"$name.tgz.sha256")
echo "$out/$name.tgz"
