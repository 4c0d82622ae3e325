#!/usr/bin/env bash
# Refuses to release a tag that is not `v` + Cargo.toml's version (the wheel, the archives and
# `cargo binstall` all take the version from Cargo.toml).
#
#   scripts/check-tag.sh v0.1.0
set -euo pipefail
tag=${1:?usage: scripts/check-tag.sh TAG}
root="$(cd "$(dirname "$0")/.." && pwd)"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
if [ "$tag" != "v$version" ]; then
    echo "check-tag.sh: tag $tag does not match Cargo.toml's version $version (want v$version)" >&2
    exit 1
fi
echo "releasing v$version"
