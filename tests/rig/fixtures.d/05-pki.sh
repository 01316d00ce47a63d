#!/usr/bin/env bash
# 05-pki.sh: the base user CAs and user certificates, and their TLSA records.
#   CA (pki/NAME)   domain                   user certificates
#   good-ca         good.test                alice, alice-idn (xn--bcher-kva.good.test)
#   other-ca        other.test               bob
#   bogus-ca        bogus.test               alice-bogus
#   expired-ca      expired.test             alice-expired
#   insecure-ca     insecure.test            alice-insecure
# Each CA is published at _user.<domain> as 2 0 1 and 2 1 1.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

ca_for() { # ca_for CA DOMAIN ZONE
	mk_ca "$1"
	add_rr "$3" user-ca \
		"$(tlsa_rr "_user.$2" 2 0 1 "$PKI/$1.pem")" \
		"$(tlsa_rr "_user.$2" 2 1 1 "$PKI/$1.pem")"
}

ca_for good-ca good.test good.test
# One usable and one unusable record (SHA-256 data of 4 octets).
add_rr good.test user-ca "$(tlsa_rr _user.mixed.good.test 2 1 1 "$PKI/good-ca.pem")" \
	"_user.mixed.good.test. $RIG_TTL IN TLSA 2 1 1 00112233"
mk_user_cert alice good-ca alice good.test
# An IDN domain (bücher.good.test) with the same CA.
add_rr good.test user-ca "$(tlsa_rr _user.xn--bcher-kva.good.test 2 0 1 "$PKI/good-ca.pem")"
mk_user_cert alice-idn good-ca alice xn--bcher-kva.good.test

ca_for other-ca other.test other.test
mk_user_cert bob other-ca bob other.test

ca_for bogus-ca bogus.test bogus.test
mk_user_cert alice-bogus bogus-ca alice bogus.test

ca_for expired-ca expired.test expired.test
mk_user_cert alice-expired expired-ca alice expired.test

ca_for insecure-ca insecure.test insecure.test
mk_user_cert alice-insecure insecure-ca alice insecure.test
