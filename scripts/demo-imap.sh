#!/usr/bin/env bash
# demo-imap.sh RIG_RUN_DIR FIXTURE_DIR [BUILD_DIR]: IMAP AUTHENTICATE EXTERNAL
# by a DANE user, on loopback.
#
# Needs a running DNS rig (tests/rig: RIG_RUN_DIR holds its dance.conf) over
# FIXTURE_DIR (tests/rig/make-fixtures.sh), and a build (default ./build)
# with examples/dance-imapd, examples/dance-tls-client and
# sasl/plugins/libdance_external.so. Starts dance-imapd with the plugin from
# the build tree (SASL_PATH), then:
#   1. Cyrus imtest logs in as alice of good.test (client certificate
#      pki/alice.full.pem, AUTHENTICATE EXTERNAL with SASL-IR);
#   2. dance-tls-client does the same sending the dane_clientid ClientName
#      "good.test", and asks for an authorization identity;
#   3. alice of bogus.test (records failing DNSSEC) is refused.
# The server is stopped by its pid when the script ends, however it ends.
# Exit status 0 when all three went as described.
set -euo pipefail

run=${1:?usage: demo-imap.sh RIG_RUN_DIR FIXTURE_DIR [BUILD_DIR]}
fix=${2:?usage: demo-imap.sh RIG_RUN_DIR FIXTURE_DIR [BUILD_DIR]}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${3:-$top/build}
conf=$run/dance.conf
imapd=$build/examples/dance-imapd
client=$build/examples/dance-tls-client
plugin=$build/sasl/plugins/libdance_external.so
imtest=/usr/lib/cyrus/bin/imtest

for f in "$conf" "$fix/pki/imapd.pem" "$fix/pki/alice.full.pem" "$imapd" \
	"$client" "$plugin"; do
	[ -e "$f" ] || { echo "demo-imap: missing $f" >&2; exit 2; }
done

work=$(mktemp -d /tmp/dance-demo-imap-XXXXXX)
pid=
# shellcheck disable=SC2317 # (called by the EXIT trap)
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# The plugin directory: ours, and libsasl2's sasldb auxprop plugin (libsasl2
# refuses authorization identities without an auxprop plugin).
mkdir "$work/plugins"
ln -s "$plugin" "$work/plugins/"
for d in /usr/lib/*/sasl2 /usr/lib/sasl2; do
	if [ -e "$d/libsasldb.so" ]; then
		ln -s "$d/libsasldb.so" "$work/plugins/"
		break
	fi
done

echo "== dance-imapd with libdance_external.so (SASL_PATH=$work/plugins)"
: >"$work/imapd.log"
SASL_PATH=$work/plugins "$imapd" -c "$fix/pki/imapd.pem" \
	-k "$fix/pki/imapd.key" -p 0 -d "$conf" -A alice@good.test \
	>"$work/imapd.log" 2>&1 &
pid=$!
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
		"$work/imapd.log" || true)
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	cat "$work/imapd.log" >&2
	echo "demo-imap: dance-imapd did not start" >&2
	exit 1
fi
echo "   listening on 127.0.0.1:$port"
status=0

echo
echo "== 1. imtest -t alice.full.pem -m EXTERNAL -p $port localhost"
out=$(timeout 30 "$imtest" -t "$fix/pki/alice.full.pem" -m EXTERNAL \
	-p "$port" localhost </dev/null 2>&1 || true)
printf '%s\n' "$out" | grep -E '^(C|S): |Authenticated|verify error' |
	sed 's/^/   /'
grep -q '^Authenticated\.' <<<"$out" || status=1

echo
echo "== 2. dance-tls-client: ClientName good.test, authorization identity shared@good.test"
"$client" -p "$port" -c "$fix/pki/alice.chain.pem" -k "$fix/pki/alice.key" \
	-C "$fix/pki/imapd.pem" -n good.test -u shared@good.test 2>&1 |
	sed 's/^/   /' || status=1

echo
echo "== 3. alice of bogus.test (DNSSEC validation fails): refused"
if "$client" -p "$port" -c "$fix/pki/alice-bogus.chain.pem" \
	-k "$fix/pki/alice-bogus.key" -C "$fix/pki/imapd.pem" 2>&1 |
	sed 's/^/   /'; then
	status=1
fi

echo
echo "== what the server logged"
grep -E 'DANCE EXTERNAL|AUTHENTICATED|ClientName' "$work/imapd.log" |
	sed 's/^/   /'
exit $status
