#!/usr/bin/env bash
# 20-verify.sh: certificates and TLSA records for the verification cases of
# issue 4 (tests/unit_verify.c offline, tests/rig_verify.c through the rig,
# tests/verify_cases.h lists them).
#
# Every case TAG gets its own domain TAG.good.test (a secure zone), its
# records at _user.TAG.good.test (in the zone, and the same lines in
# $FIX/verify/TAG.tlsa for the offline tests) and its certificate
# $FIX/pki/v-TAG.pem (chain: v-TAG.chain.pem, leaf then issuers).
#
# CAs: v-ca (the usual one), v-ca2 (another domain's CA), v-root -> v-mid
# (an intermediate), v-ca-expired, v-ca-future (validity in the past / in
# the future).
set -euo pipefail
# The rig's helpers (branch rig); without them there is nothing to build on
# (the verification tests then fail, naming the missing files).
if [ ! -f "$SRC/tests/rig/lib.sh" ]; then
	echo "20-verify.sh: tests/rig/lib.sh missing: no verification fixtures" >&2
	exit 0
fi
. "$SRC/tests/rig/lib.sh"

V=$FIX/verify
mkdir -p "$V"
Z=good.test

# ---- helpers ----------------------------------------------------------

# rec FILE LINE...: zone-file lines into the zone and into FILE.tlsa
rec() {
	local f=$1
	shift
	add_rr "$Z" verify "$@"
	printf '%s\n' "$@" >>"$V/$f.tlsa"
}

# ta FILE DOMAIN USAGE SEL MTYPE PEM: one record at _user.DOMAIN
ta() {
	rec "$1" "$(tlsa_rr "_user.$2" "$3" "$4" "$5" "$6")"
}

# raw FILE DOMAIN "U S M HEX": a record given as data
raw() {
	rec "$1" "_user.$2. $RIG_TTL IN TLSA $3"
}

# user TAG ISSUER [mk_cert options]: alice's certificate v-TAG
user() {
	local tag=$1 issuer=$2
	shift 2
	mk_cert "v-$tag" --issuer "$issuer" --subject "/CN=alice" "$@"
}

# der TAG HEX: one DER TLV, hex
der() {
	local tag=$1 v=$2 n=$((${#2} / 2))
	if [ $n -lt 128 ]; then
		printf '%s%02x%s' "$tag" $n "$v"
	elif [ $n -lt 256 ]; then
		printf '%s81%02x%s' "$tag" $n "$v"
	else
		printf '%s82%04x%s' "$tag" $n "$v"
	fi
}

hexof() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# san_uid_hex DNSNAME UIDHEX: a subjectAltName (DER: form for the config)
# with one dNSName and a uid otherName whose UTF8String octets are UIDHEX,
# for values openssl's config syntax cannot say (NUL, invalid UTF-8).
UID_OID=060a0992268993f22c640101
san_uid_hex() {
	local names
	names="$(der 82 "$(hexof "$1")")$(der a0 "$UID_OID$(der a0 "$(der 0c "$2")")")"
	echo "subjectAltName=DER:$(der 30 "$names")"
}

# flip_last PEM OUT: the certificate with the last octet of its signature
# flipped (a bad signature), PEM
flip_last() {
	local hex last
	hex=$(openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n')
	last=${hex: -2}
	hex=${hex:0:${#hex}-2}$(printf '%02x' $((0x$last ^ 1)))
	perl -e 'print pack("H*", $ARGV[0])' "$hex" |
		openssl x509 -inform DER -outform PEM -out "$2"
}

# ---- CAs ----------------------------------------------------------------

mk_ca v-ca
mk_ca v-ca2
mk_ca v-root
mk_ca v-mid --issuer v-root
mk_ca v-ca-expired --start -30d --end -1d
mk_ca v-ca-future --start +2d --end +400d

# ---- accepted ------------------------------------------------------------

for m in 201 211 202 212 200 210; do
	user "ta$m" v-ca --uid alice --dns "ta$m.$Z"
	ta "ta$m" "ta$m.$Z" 2 "${m:1:1}" "${m:2:1}" "$PKI/v-ca.pem"
done

# chain through an intermediate: anchored at the root, or at the
# intermediate
user inter v-mid --uid alice --dns "inter.$Z"
ta inter "inter.$Z" 2 0 1 "$PKI/v-root.pem"
user intermid v-mid --uid alice --dns "intermid.$Z"
ta intermid "intermid.$Z" 2 1 1 "$PKI/v-mid.pem"

# IDN domain: münchen.good.test
user idn v-ca --uid alice --dns "xn--mnchen-3ya.$Z"
ta idn "xn--mnchen-3ya.$Z" 2 0 1 "$PKI/v-ca.pem"

user uidupper v-ca --uid ALICE --dns "uidupper.$Z"
ta uidupper "uidupper.$Z" 2 0 1 "$PKI/v-ca.pem"
# (non-ASCII values need FORMAT:UTF8, or openssl reads them as Latin-1)
user uidutf8 v-ca --dns "uidutf8.$Z" \
	--san "otherName.1 = 0.9.2342.19200300.100.1.1;FORMAT:UTF8,UTF8:Élodie"
ta uidutf8 "uidutf8.$Z" 2 0 1 "$PKI/v-ca.pem"
user dnscase v-ca --uid alice --dns "DnsCase.Good.TEST"
ta dnscase "dnscase.$Z" 2 0 1 "$PKI/v-ca.pem"

# several dNSNames: the ClientName names multib
user multi v-ca --uid alice --dns "multia.$Z" --dns "multib.$Z"
ta multi "multib.$Z" 2 0 1 "$PKI/v-ca.pem"

user mailbox v-ca --dns "mailbox.$Z" --san "email.1 = alice@mailbox.$Z"
ta mailbox "mailbox.$Z" 2 0 1 "$PKI/v-ca.pem"
user smtputf8 v-ca --dns "smtputf8.$Z" \
	--san "otherName.2 = 1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:Jürgen@smtputf8.$Z"
ta smtputf8 "smtputf8.$Z" 2 0 1 "$PKI/v-ca.pem"
user agree v-ca --uid Alice --dns "agree.$Z" --san "email.1 = alice@AGREE.$Z"
ta agree "agree.$Z" 2 0 1 "$PKI/v-ca.pem"

# digest agility: SHA-512 outranks SHA-256; Full(0) is no digest
user agilok v-ca --uid alice --dns "agilok.$Z"
ta agilok "agilok.$Z" 2 0 1 "$PKI/v-ca2.pem"
ta agilok "agilok.$Z" 2 0 2 "$PKI/v-ca.pem"
user agilfull v-ca --uid alice --dns "agilfull.$Z"
ta agilfull "agilfull.$Z" 2 0 0 "$PKI/v-ca.pem"
ta agilfull "agilfull.$Z" 2 0 2 "$PKI/v-ca2.pem"

# records not for users next to a DANE-TA one
user pkixta v-ca --uid alice --dns "pkixta.$Z"
ta pkixta "pkixta.$Z" 0 0 1 "$PKI/v-ca.pem"
ta pkixta "pkixta.$Z" 1 1 1 "$PKI/v-pkixta.pem"
ta pkixta "pkixta.$Z" 2 0 1 "$PKI/v-ca.pem"
user eeta v-ca --uid alice --dns "eeta.$Z"
ta eeta "eeta.$Z" 3 1 1 "$PKI/v-eeta.pem"
ta eeta "eeta.$Z" 2 1 1 "$PKI/v-ca.pem"

# ---- refused ----------------------------------------------------------

# The namespace constraint: v-ca2 (published for crossb) issues a
# certificate for cross, whose records name v-ca.
ta crossb "crossb.$Z" 2 0 1 "$PKI/v-ca2.pem"
user cross v-ca2 --uid mallory --subject /CN=mallory --dns "cross.$Z"
ta cross "cross.$Z" 2 0 1 "$PKI/v-ca.pem"
# The same with the rig's CAs: other.test's CA claims good.test.
mk_cert v-crossrig --issuer other-ca --subject /CN=mallory --uid mallory \
	--dns good.test
{
	tlsa_rr _user.good.test 2 0 1 "$PKI/good-ca.pem"
	tlsa_rr _user.good.test 2 1 1 "$PKI/good-ca.pem"
} >"$V/goodtest.tlsa"
{
	tlsa_rr _user.other.test 2 0 1 "$PKI/other-ca.pem"
	tlsa_rr _user.other.test 2 1 1 "$PKI/other-ca.pem"
} >"$V/othertest.tlsa"

user leafonly v-ca --uid alice --dns "leafonly.$Z"
ta leafonly "leafonly.$Z" 2 0 1 "$PKI/v-leafonly.pem"
mk_cert v-leafself --subject /CN=alice --uid alice --dns "leafself.$Z"
ta leafself "leafself.$Z" 2 0 1 "$PKI/v-leafself.pem"

user expired v-ca --uid alice --dns "expired.$Z" --start -30d --end -1d
ta expired "expired.$Z" 2 0 1 "$PKI/v-ca.pem"
user future v-ca --uid alice --dns "future.$Z" --start +2d --end +30d
ta future "future.$Z" 2 0 1 "$PKI/v-ca.pem"
user caexpired v-ca-expired --uid alice --dns "caexpired.$Z"
ta caexpired "caexpired.$Z" 2 0 1 "$PKI/v-ca-expired.pem"
user cafuture v-ca-future --uid alice --dns "cafuture.$Z"
ta cafuture "cafuture.$Z" 2 0 1 "$PKI/v-ca-future.pem"

user badsig v-ca --uid alice --dns "badsig.$Z"
ta badsig "badsig.$Z" 2 0 1 "$PKI/v-ca.pem"
flip_last "$PKI/v-badsig.pem" "$PKI/v-badsig-flipped.pem"
cat "$PKI/v-badsig-flipped.pem" "$PKI/v-ca.pem" >"$PKI/v-badsig-flipped.chain.pem"

# issuers that may not issue: not a CA; a CA without keyCertSign
mk_cert v-notca-ca --subject "/CN=not a CA"
user notca v-notca-ca --uid alice --dns "notca.$Z"
ta notca "notca.$Z" 2 0 1 "$PKI/v-notca-ca.pem"
mk_ca v-nokcs-ca --ext "keyUsage=critical,digitalSignature,cRLSign"
user nokcs v-nokcs-ca --uid alice --dns "nokcs.$Z"
ta nokcs "nokcs.$Z" 2 0 1 "$PKI/v-nokcs-ca.pem"
# an rfc822Name (IA5String) with octets that are not ASCII
user mboxutf8 v-ca --dns "mboxutf8.$Z" --san "email.1 = jürgen@mboxutf8.$Z"
ta mboxutf8 "mboxutf8.$Z" 2 0 1 "$PKI/v-ca.pem"

user leafca v-ca --uid alice --dns "leafca.$Z" \
	--ext "basicConstraints=critical,CA:TRUE"
ta leafca "leafca.$Z" 2 0 1 "$PKI/v-ca.pem"
user ekuserver v-ca --uid alice --dns "ekuserver.$Z" \
	--ext "extendedKeyUsage=serverAuth"
ta ekuserver "ekuserver.$Z" 2 0 1 "$PKI/v-ca.pem"

user dnsuser v-ca --uid alice --dns "_user.dnsuser.$Z"
user wildcard v-ca --uid alice --dns "*.wildcard.$Z"
ta wildcard "wildcard.$Z" 2 0 1 "$PKI/v-ca.pem"
user cnonly v-ca --uid alice --subject "/CN=cnonly.$Z"
ta cnonly "cnonly.$Z" 2 0 1 "$PKI/v-ca.pem"

user nouid v-ca --dns "nouid.$Z"
ta nouid "nouid.$Z" 2 0 1 "$PKI/v-ca.pem"
user twouids v-ca --uid alice --dns "twouids.$Z" \
	--san "otherName.2 = 0.9.2342.19200300.100.1.1;UTF8:bob"
ta twouids "twouids.$Z" 2 0 1 "$PKI/v-ca.pem"
user disagree v-ca --uid alice --dns "disagree.$Z" \
	--san "email.1 = bob@disagree.$Z"
ta disagree "disagree.$Z" 2 0 1 "$PKI/v-ca.pem"
user mboxother v-ca --dns "mboxother.$Z" --san "email.1 = alice@other.test"
ta mboxother "mboxother.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidat v-ca --uid "alice@x" --dns "uidat.$Z"
ta uidat "uidat.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidnul v-ca --ext "$(san_uid_hex "uidnul.$Z" 616c00696365)"
ta uidnul "uidnul.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidctrl v-ca --ext "$(san_uid_hex "uidctrl.$Z" 616c01696365)"
ta uidctrl "uidctrl.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidutf8bad v-ca --ext "$(san_uid_hex "uidutf8bad.$Z" 616cff6963)"
ta uidutf8bad "uidutf8bad.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidempty v-ca --ext "$(san_uid_hex "uidempty.$Z" "")"
ta uidempty "uidempty.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidia5 v-ca --dns "uidia5.$Z" \
	--san "otherName.2 = 0.9.2342.19200300.100.1.1;IA5:alice"
ta uidia5 "uidia5.$Z" 2 0 1 "$PKI/v-ca.pem"

user pkixonly v-ca --uid alice --dns "pkixonly.$Z"
ta pkixonly "pkixonly.$Z" 0 0 1 "$PKI/v-ca.pem"
ta pkixonly "pkixonly.$Z" 1 1 1 "$PKI/v-pkixonly.pem"
user eeonly v-ca --uid alice --dns "eeonly.$Z"
ta eeonly "eeonly.$Z" 3 1 1 "$PKI/v-eeonly.pem"
user unusable v-ca --uid alice --dns "unusable.$Z"
d=$(tlsa_data 2 0 1 "$PKI/v-ca.pem")
raw unusable "unusable.$Z" "2 0 1 ${d:0:60}"
raw unusable "unusable.$Z" "2 2 1 $d"
raw unusable "unusable.$Z" "2 0 7 $d"
raw unusable "unusable.$Z" "4 0 1 $d"

user agilbad v-ca --uid alice --dns "agilbad.$Z"
ta agilbad "agilbad.$Z" 2 0 1 "$PKI/v-ca.pem"
ta agilbad "agilbad.$Z" 2 0 2 "$PKI/v-ca2.pem"

# answers without usable data (the rig's zones make the class)
user nxdomain v-ca --uid alice --dns "nxdomain.$Z"
user nodata v-ca --uid alice --dns "nodata.$Z"

# ---- security level 2 (keys and signatures) ------------------------------

# Accepted: RSA-2048 keys signed with SHA-256; a CA whose own
# self-signature uses SHA-1 (a trust anchor's signature is not checked:
# the record vouches for it); "2 1 0" of the CA's key with the CA sent too.
mk_ca v-ca-rsa --key-alg rsa2048
user rsa2048 v-ca-rsa --key-alg rsa2048 --uid alice --dns "rsa2048.$Z"
ta rsa2048 "rsa2048.$Z" 2 0 1 "$PKI/v-ca-rsa.pem"
mk_ca v-ca-selfsha1 --md sha1
user selfsha1 v-ca-selfsha1 --uid alice --dns "selfsha1.$Z"
ta selfsha1 "selfsha1.$Z" 2 0 1 "$PKI/v-ca-selfsha1.pem"
user ta210chain v-ca --uid alice --dns "ta210chain.$Z"
ta ta210chain "ta210chain.$Z" 2 1 0 "$PKI/v-ca.pem"

# Refused: leaves signed with MD5 or SHA-1; an intermediate signed with
# SHA-1 under the anchor; RSA-1024 and P-192 keys (CA or leaf); the
# review's case: an RSA-1024 CA self-signed with SHA-1 whose leaves are
# signed with SHA-1; bare-key anchors ("2 1 0", the leaf alone) that
# OpenSSL itself does not check: an RSA-1024 key, a SHA-1 signature.
user weakmd5 v-ca-rsa --md md5 --uid alice --dns "weakmd5.$Z"
ta weakmd5 "weakmd5.$Z" 2 0 1 "$PKI/v-ca-rsa.pem"
user weaksha1 v-ca --md sha1 --uid alice --dns "weaksha1.$Z"
ta weaksha1 "weaksha1.$Z" 2 0 1 "$PKI/v-ca.pem"
mk_ca v-mid-sha1 --issuer v-root --md sha1
user weakmidsha1 v-mid-sha1 --uid alice --dns "weakmidsha1.$Z"
ta weakmidsha1 "weakmidsha1.$Z" 2 0 1 "$PKI/v-root.pem"
mk_ca v-ca-1024 --key-alg rsa1024
user weakca1024 v-ca-1024 --uid alice --dns "weakca1024.$Z"
ta weakca1024 "weakca1024.$Z" 2 0 1 "$PKI/v-ca-1024.pem"
mk_ca v-ca-p192 --key-alg ec-p192
user weakcap192 v-ca-p192 --uid alice --dns "weakcap192.$Z"
ta weakcap192 "weakcap192.$Z" 2 1 1 "$PKI/v-ca-p192.pem"
user weakleaf1024 v-ca --key-alg rsa1024 --uid alice --dns "weakleaf1024.$Z"
ta weakleaf1024 "weakleaf1024.$Z" 2 0 1 "$PKI/v-ca.pem"
user weakleafp192 v-ca --key-alg ec-p192 --uid alice --dns "weakleafp192.$Z"
ta weakleafp192 "weakleafp192.$Z" 2 0 1 "$PKI/v-ca.pem"
mk_ca v-ca-1024sha1 --key-alg rsa1024 --md sha1
user weakreview v-ca-1024sha1 --md sha1 --uid alice --dns "weakreview.$Z"
ta weakreview "weakreview.$Z" 2 0 1 "$PKI/v-ca-1024sha1.pem"
user weakbare1024 v-ca-1024 --uid alice --dns "weakbare1024.$Z"
ta weakbare1024 "weakbare1024.$Z" 2 1 0 "$PKI/v-ca-1024.pem"
user weakbaresha1 v-ca --md sha1 --uid alice --dns "weakbaresha1.$Z"
ta weakbaresha1 "weakbaresha1.$Z" 2 1 0 "$PKI/v-ca.pem"

# ---- the leaf's own key as a DANE-TA anchor --------------------------------

# Self-signed CA:FALSE leaves, their own keys published as "2 1 0"
# (OpenSSL accepts: the key verifies the leaf's self-signature) and
# "2 1 1" (v-leafself above: "2 0 1").
mk_cert v-selfkey --subject /CN=alice --uid alice --dns "selfkey.$Z"
ta selfkey "selfkey.$Z" 2 1 0 "$PKI/v-selfkey.pem"
mk_cert v-selfkeyh --subject /CN=alice --uid alice --dns "selfkeyh.$Z"
ta selfkeyh "selfkeyh.$Z" 2 1 1 "$PKI/v-selfkeyh.pem"
# A CA certificate with the leaf's own key pair, published as "2 0 1".
mk_ca v-ca-leafkey
user cakey v-ca-leafkey --key "$PKI/v-ca-leafkey.key" --uid alice \
	--dns "cakey.$Z"
ta cakey "cakey.$Z" 2 0 1 "$PKI/v-ca-leafkey.pem"

# ---- white space in uids -----------------------------------------------

# " alice", "alice ", "al ice", "alice" + NBSP, U+3000 + "alice"
user uidlead v-ca --ext "$(san_uid_hex "uidlead.$Z" 20616c696365)"
ta uidlead "uidlead.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidtrail v-ca --ext "$(san_uid_hex "uidtrail.$Z" 616c69636520)"
ta uidtrail "uidtrail.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidinner v-ca --ext "$(san_uid_hex "uidinner.$Z" 616c20696365)"
ta uidinner "uidinner.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidnbsp v-ca --ext "$(san_uid_hex "uidnbsp.$Z" 616c696365c2a0)"
ta uidnbsp "uidnbsp.$Z" 2 0 1 "$PKI/v-ca.pem"
user uidideo v-ca --ext "$(san_uid_hex "uidideo.$Z" e38080616c696365)"
ta uidideo "uidideo.$Z" 2 0 1 "$PKI/v-ca.pem"

# ---- per-user records (<label>._user.good.test, DANE-EE) ---------------

mk_cert v-carol --subject /CN=carol
mk_cert v-dave --subject /CN=dave
mk_cert v-erin --subject /CN=erin
rec carol "$(tlsa_rr "carol._user.$Z" 3 1 1 "$PKI/v-carol.pem")"
rec dave "$(tlsa_rr "dave._user.$Z" 3 0 1 "$PKI/v-dave.pem")"
rec erin "$(tlsa_rr "erin._user.$Z" 2 1 1 "$PKI/v-erin.pem")"
# a user's own RSA-1024 key (under security level 2)
mk_cert v-frank --subject /CN=frank --key-alg rsa1024
rec frank "$(tlsa_rr "frank._user.$Z" 3 1 1 "$PKI/v-frank.pem")"
