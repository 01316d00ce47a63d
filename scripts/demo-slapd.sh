#!/usr/bin/env bash
# demo-slapd.sh RIGDIR FIXDIR [BUILDDIR]: the slapd part of the demo
# (scripts/demo.d/50-slapd.sh) on its own, against a DNS rig already
# running in RIGDIR with the fixtures in FIXDIR; BUILDDIR defaults to
# ./build. Starts slapd with dance_certmap.so on free loopback ports, binds
# with SASL EXTERNAL as DANE users (ldaps:// and StartTLS), shows a forged
# certificate refused, and stops slapd by its PID. Exit status 0 when every
# step behaved as expected.
#
# A rig for it:
#   tests/rig/make-fixtures.sh build/fixtures
#   build/tests/rig/dance-rig --run /tmp/rig --fixtures build/fixtures &
#   (wait until /tmp/rig/rig.env exists)
#   scripts/demo-slapd.sh /tmp/rig build/fixtures
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: demo-slapd.sh RIGDIR FIXDIR [BUILDDIR]"
RIG=$(cd "${1:?$usage}" && pwd)
FIX=$(cd "${2:?$usage}" && pwd)
. "$top/scripts/lib/demo.sh"
BUILD=$(cd "${3:-$top/build}" && pwd)
CONF=$RIG/dance.conf
for f in "$CONF" "$BUILD/sasl/dance_certmap.so" "$FIX/pki/slapd-server.chain.pem"; do
	[ -e "$f" ] || { echo "demo-slapd: missing $f" >&2; exit 2; }
done
. "$top/scripts/demo.d/50-slapd.sh"
demo_done
