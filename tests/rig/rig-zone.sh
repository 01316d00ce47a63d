#!/usr/bin/env bash
# rig-zone.sh RUNDIR ZONE OP ARGS...: change a zone of a running rig, re-sign
# it by its policy, make nsd reload it and wait until nsd serves the new
# serial. Changes stay in RUNDIR (the fixtures are not touched).
#   add LINE...            add zone-file lines (absolute owner names)
#   del LINE...            remove lines equal to these (runs of blanks folded)
#   del-name OWNER [TYPE]  remove every record at OWNER (of TYPE only)
# Example:
#   rig-zone.sh "$RIG_RUNDIR" good.test del-name _user.good.test TLSA
#   rig-zone.sh "$RIG_RUNDIR" good.test add "_user.good.test. 300 IN TLSA 2 0 1 ..."
set -euo pipefail
usage() {
	echo "usage: rig-zone.sh RUNDIR ZONE add|del LINE... | del-name OWNER [TYPE]" >&2
	exit 2
}
[ $# -ge 4 ] || usage
run=$1 zone=${2%.} op=$3
shift 3
[ -f "$run/rig.env" ] || { echo "rig-zone: no running rig in $run" >&2; exit 1; }
# shellcheck disable=SC1091
. "$run/rig.env"
FIX=$RIG_FIXTURES
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/rig/lib.sh"

zones=$run/zones
[ -f "$zones/$zone.zone" ] || { echo "rig-zone: the rig serves no zone $zone" >&2; exit 1; }
exec 9>"$zones/.lock"
flock 9

# Work on this run's copy of the zone's fragments.
zd=$zones/$zone.d
if [ ! -d "$zd" ]; then
	mkdir -p "$zd"
	cp "$FIX/zones/$zone.d/"*.rr "$zd/" 2>/dev/null || true
fi

fold() { tr -s ' \t' '  ' | sed 's/^ //; s/ $//'; }

case $op in
add)
	printf '%s\n' "$@" >>"$zd/zz-rig-zone.rr"
	;;
del)
	for want in "$@"; do
		w=$(printf '%s' "$want" | fold)
		hit=0
		for f in "$zd"/*.rr; do
			[ -e "$f" ] || continue
			if awk -v w="$w" '{ l = $0; gsub(/[ \t]+/, " ", l); sub(/^ /, "", l); sub(/ $/, "", l)
				if (l == w) { found = 1; next } print } END { exit !found }' "$f" >"$f.new"; then
				hit=1
			fi
			mv "$f.new" "$f"
		done
		[ "$hit" = 1 ] || { echo "rig-zone: no line '$want' in $zone" >&2; exit 1; }
	done
	;;
del-name)
	if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
	owner=$(printf '%s' "${1%.}." | tr '[:upper:]' '[:lower:]')
	type=$(printf '%s' "${2:-}" | tr '[:lower:]' '[:upper:]')
	hit=0
	for f in "$zd"/*.rr; do
		[ -e "$f" ] || continue
		# owner [ttl] [class] type rdata
		if awk -v o="$owner" -v t="$type" '
			{ own = tolower($1); sub(/\.?$/, ".", own); i = 2
			  if ($i ~ /^[0-9]+$/) i++
			  if (toupper($i) == "IN") i++
			  if ($i ~ /^[0-9]+$/) i++
			  if (own == o && (t == "" || toupper($i) == t)) { found = 1; next } print }
			END { exit !found }' "$f" >"$f.new"; then
			hit=1
		fi
		mv "$f.new" "$f"
	done
	[ "$hit" = 1 ] || { echo "rig-zone: no record at $owner ${type:-} in $zone" >&2; exit 1; }
	;;
*) usage ;;
esac

serial=$(($(cat "$zones/serial" 2>/dev/null || echo 1) + 1))
echo "$serial" >"$zones/serial"
policy=signed
[ ! -f "$FIX/zones/$zone.policy" ] || policy=$(cat "$FIX/zones/$zone.policy")
mkdir -p "$zones/work"
zone_assemble "$zone" "$zd" "$serial" "$zones/work/$zone.unsigned"
# Every zone's SOA carries the same serial; nsd reloads files whose
# modification time changed.
zone_sign "$zone" "$policy" "$zones/work/$zone.unsigned" "$zones/work/$zone.zone" "$FIX/keys"
mv "$zones/work/$zone.zone" "$zones/$zone.zone"
kill -HUP "$RIG_NSD_PID"

for _ in $(seq 500); do
	got=$(dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$RIG_NSD_PORT" "$zone." SOA 2>/dev/null | awk '{ print $3 }')
	[ "$got" != "$serial" ] || exit 0
	sleep 0.01
done
echo "rig-zone: nsd did not load serial $serial of $zone (see $RIG_LOG_DIR/nsd.log)" >&2
exit 1
