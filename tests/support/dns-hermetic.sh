#!/usr/bin/env bash
# dns-hermetic.sh DIR: a small hermetic DNSSEC set-up for libdance's own
# DNS tests: zones signed now with ldns-signzone, served by libunbound's
# auth-zone (no server, no network). Writes DIR/dance.conf.
#
#   _user.good.test            secure, one TLSA record
#   _user.mixed.good.test      secure, one usable and one unusable record
#   _user.nodata.good.test     secure NODATA (a TXT record only)
#   _user.nxdomain.good.test   secure NXDOMAIN
#   _user.alias.good.test      CNAME to _user.good.test (secure)
#   _user.bogus.test           bogus (TLSA signature altered after signing)
#   _user.expired.test         bogus (signatures expired)
#   _user.insecure.test        insecure (no trust anchor covers it)
#   _user.refused.test         REFUSED (a local zone of type refuse)
#   _user.silent.test          no answer (stub to a closed loopback port)
set -euo pipefail
dir=${1:?usage: dns-hermetic.sh DIR}
mkdir -p "$dir"
cd "$dir"
h32=$(printf '%064x' 1)

zone() { # zone NAME RECORD...
	local z=$1
	shift
	{
		echo "\$ORIGIN $z."
		echo "\$TTL 300"
		echo "@ IN SOA ns.$z. hostmaster.$z. 1 3600 600 86400 300"
		echo "@ IN NS ns.$z."
		echo "ns IN A 127.0.0.1"
		printf '%s\n' "$@"
	} >"$z.unsigned"
}

sign() { # sign NAME [ldns-signzone options]
	local z=$1 k
	shift
	k=$(ldns-keygen -a ECDSAP256SHA256 -k "$z")
	ldns-signzone "$@" -o "$z" -f "$z.zone" "$z.unsigned" "$k"
	ldns-key2ds -n -2 "$k.key" >>anchors.ds
	rm -f "$k.private" "$k.key" "$k.ds"
}

: >anchors.ds
zone good.test "_user IN TLSA 2 1 1 $h32" \
	"_user.mixed IN TLSA 2 1 1 $h32" "_user.mixed IN TLSA 2 1 1 00112233" \
	"_user.nodata IN TXT \"no TLSA\"" "_user.alias IN CNAME _user"
zone bogus.test "_user IN TLSA 2 1 1 $h32"
zone expired.test "_user IN TLSA 2 1 1 $h32"
zone insecure.test "_user IN TLSA 2 1 1 $h32"
sign good.test
sign bogus.test
sign expired.test -i 20200101000000 -e 20200201000000
cp insecure.test.unsigned insecure.test.zone

# Bogus: alter one character of the signature over the TLSA RRset.
awk '$4 == "RRSIG" && $5 == "TLSA" {
	s = $NF; c = substr(s, 20, 1); r = (c == "A") ? "B" : "A"
	$NF = substr(s, 1, 19) r substr(s, 21) } { print }' \
	bogus.test.zone >bogus.test.tmp
mv bogus.test.tmp bogus.test.zone

{
	echo "server:"
	echo "	local-zone: \"refused.test.\" refuse"
	echo "stub-zone:"
	echo "	name: \".\""
	echo "	stub-addr: 127.0.0.1@9"
	for z in good.test bogus.test expired.test insecure.test; do
		echo "auth-zone:"
		echo "	name: \"$z.\""
		echo "	zonefile: \"$PWD/$z.zone\""
		echo "	for-upstream: yes"
		echo "	for-downstream: no"
	done
} >unbound.conf

cat >dance.conf <<EOF
resolver recursive
unbound-config $PWD/unbound.conf
trust-anchor-file $PWD/anchors.ds
allow-domain *.test
lookup-timeout 600
EOF
