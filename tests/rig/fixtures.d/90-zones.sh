#!/usr/bin/env bash
# 90-zones.sh: assemble every zone declared in $FIX/zones (ZONE.d/*.rr plus
# SOA and NS), sign it by its policy and write the trust anchors.
#   zones/ZONE.zone        what nsd serves and the hermetic auth-zone reads
#   keys/                  DNSSEC keys (one ECDSAP256SHA256 KSK per zone)
#   anchors/ZONE.ds        DS trust anchor of every signed zone
#   zones/serial           serial of the zones (rig-zone.sh increases it)
# Zones directly under test. are delegated from the signed zone test. (with a
# DS unless unsigned), so insecure.test is a provably insecure delegation.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

zdir=$FIX/zones
mkdir -p "$FIX/keys" "$FIX/anchors" "$FIX/work"
serial=1
echo "$serial" >"$zdir/serial"

policy_of() { if [ -f "$zdir/$1.policy" ]; then cat "$zdir/$1.policy"; else echo signed; fi; }

build() { # build ZONE
	local z=$1 p
	p=$(policy_of "$z")
	zone_assemble "$z" "$zdir/$z.d" "$serial" "$FIX/work/$z.unsigned"
	zone_sign "$z" "$p" "$FIX/work/$z.unsigned" "$zdir/$z.zone" "$FIX/keys"
	if [ "$p" != unsigned ]; then
		local key
		key=$(zone_keys "$z" "$FIX/keys")
		ldns-key2ds -n -2 "$key.key" >"$FIX/anchors/$z.ds"
	fi
}

: >"$zdir/test.d/zz-delegations.rr"
for d in "$zdir"/*.d; do
	z=$(basename "$d" .d)
	[ "$z" != test ] || continue
	build "$z"
	case $z in
	*.*.test | test) ;;
	*.test)
		echo "$z. $RIG_TTL IN NS ns.test." >>"$zdir/test.d/zz-delegations.rr"
		[ ! -f "$FIX/anchors/$z.ds" ] || cat "$FIX/anchors/$z.ds" >>"$zdir/test.d/zz-delegations.rr"
		;;
	esac
done
[ -d "$zdir/test.d" ] && build test
for f in "$zdir"/*.zone; do basename "$f" .zone; done >"$zdir/list"
