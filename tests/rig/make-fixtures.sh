#!/usr/bin/env bash
# make-fixtures.sh OUTDIR: generate every test fixture afresh (keys,
# certificates, SSH keys, signed zones, trust anchors), so that signatures
# never expire in CI.
#
# Each tests/rig/fixtures.d/NN-*.sh runs in order with:
#   FIX   the output directory (fresh, absolute)
#   SRC   the source tree
# A script adds DNS records for zone Z by writing zone-file lines (absolute
# owner names) to $FIX/zones/Z.d/NAME.rr; the zone script (90-*) assembles
# and signs every zone afterwards. See tests/rig/README.md.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: make-fixtures.sh OUTDIR}
mkdir -p "$out"
FIX=$(cd "$out" && pwd)
# Regenerate from scratch, but only inside a directory we made.
find "$FIX" -mindepth 1 -delete
mkdir -p "$FIX/zones"
export FIX SRC
for s in "$SRC"/tests/rig/fixtures.d/[0-9][0-9]-*.sh; do
	[ -e "$s" ] || continue
	bash "$s" || { echo "make-fixtures: $(basename "$s") failed" >&2; exit 1; }
done
date -u +%s > "$FIX/.generated"
echo "make-fixtures: fixtures in $FIX"
