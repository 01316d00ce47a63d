#!/usr/bin/env bash
# 50-slapd.sh: certificates for the slapd tests (tests/e2e_slapd.c) and the
# slapd benchmark (bench/bench_slapd.c), beyond the rig's users (05-pki.sh)
# and the refusal cases of 20-39.
#   pki/slapd-ca            CA of the test server's certificate (clients
#                           trust it through LDAPTLS_CACERT)
#   pki/slapd-server        slapd's TLS certificate: localhost, 127.0.0.1
#   pki/slapd-admin-forged  self-signed; subject DN cn=admin,dc=example,
#                           dc=org, the tests' rootdn: the attack that stock
#                           slapd with TLSVerifyClient allow lets through
#   pki/slapd-carol         good.test user "Carol" (mixed case uid)
#   pki/slapd-special       good.test user "x,y+z=w;v<u>t" (RFC 4514
#                           specials in the uid)
#   pki/slapd-spaces        good.test user "a  b" (two spaces: slapd's DN
#                           normalisation would fold them; libdance refuses
#                           white space in uids: bad-uid)
#   pki/slapd-rogue         alice@good.test issued by slapd-rogue-ca, a CA
#                           published nowhere (the wrong CA)
#   pki/slapd-blackhole     user "dave" of blackhole.test (good-ca)
# Zone blackhole.test: signed, delegated, with good-ca at _user; the slapd
# test sends its queries to the rig's black hole (a forward-zone in an
# unbound-config file), so that lookups for it never get an answer.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

mk_ca slapd-ca --subject "/O=dance tests/CN=slapd test server CA"
mk_cert slapd-server --issuer slapd-ca --subject "/CN=localhost" \
	--dns localhost --san "IP.1 = 127.0.0.1" \
	--ext "extendedKeyUsage=serverAuth"

mk_cert slapd-admin-forged --subject "/DC=org/DC=example/CN=admin"

mk_user_cert slapd-carol good-ca Carol good.test
mk_cert slapd-special --issuer good-ca --subject "/CN=special" \
	--uid "x,y+z=w;v<u>t" --dns good.test
mk_cert slapd-spaces --issuer good-ca --subject "/CN=spaces" \
	--uid "a  b" --dns good.test
mk_ca slapd-rogue-ca
mk_user_cert slapd-rogue slapd-rogue-ca alice good.test

zone_new blackhole.test signed
add_rr blackhole.test slapd \
	"$(tlsa_rr _user.blackhole.test 2 0 1 "$PKI/good-ca.pem")"
mk_user_cert slapd-blackhole good-ca dave blackhole.test

# A domain only e2e_slapd's domain_not_allowed test uses, so that its query
# count cannot be moved by tests running beside it.
zone_new notallowed.test signed
add_rr notallowed.test slapd \
	"$(tlsa_rr _user.notallowed.test 2 0 1 "$PKI/good-ca.pem")"
mk_user_cert slapd-erin good-ca erin notallowed.test
