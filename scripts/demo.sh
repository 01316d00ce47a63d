#!/usr/bin/env bash
# demo.sh: the README's demo command. Installs what is missing, builds
# dance, then on loopback only: generates a signed test zone and keys,
# starts the DNS rig (nsd + DNSSEC), and shows dance at work. Every step
# says what it expects; the demo exits non-zero if one does not hold.
# Everything it starts is stopped at the end, even on failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/install-deps.sh
echo "demo: building (log: build-demo.log)"
if ! scripts/build.sh build >build-demo.log 2>&1; then
	tail -n 30 build-demo.log
	exit 1
fi

. scripts/lib/demo.sh
demo_start_rig "$top/demo-run"

step "A domain's user CA, published as TLSA records, DNSSEC-signed (expect: secure, exit 0)"
expect 0 "$DANCE" lookup _user.good.test

step "The same kind of record, altered after signing (expect: bogus, exit 1)"
expect 1 "$DANCE" lookup _user.bogus.test

for part in scripts/demo.d/[0-9][0-9]-*.sh; do
	[ -e "$part" ] || continue
	. "$part"
done

demo_done
