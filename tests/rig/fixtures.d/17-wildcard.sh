#!/usr/bin/env bash
# 17-wildcard.sh: a signed zone with wildcard owner names, which must never
# authenticate anyone (design.md: "No wildcard owner names for users"),
# beside explicit names of the same zone, which must go on working.
#
# Zone wild.test (signed, NSEC, delegated from test. with a DS):
#   _user.wild.test            2 0 1 of pki/wild-ca            explicit
#   carol._user.wild.test      3 1 0 and 3 1 1 of ssh/wild_carol, 3 1 1 of
#                              pki/wild-carol-self              explicit
#   *._user.wild.test          3 1 0 and 3 1 1 of ssh/wild_any, 3 1 1 of
#                              pki/wild-any-self                wildcard:
#                              alice._user.wild.test, bob._user... (any user)
#   *.wild.test                2 0 1 of pki/wild-ca             wildcard:
#                              _user.sub.wild.test (sub.wild.test does not
#                              exist, so wild.test is the closest encloser)
#   *.alias.wild.test          CNAME _user.wild.test.           a wildcard
#                              CNAME: _user.x.alias.wild.test
#   _user.cname.wild.test      CNAME _user.sub.wild.test.       an explicit
#                              CNAME to a wildcard-synthesised TLSA RRset
# Keys and certificates:
#   ssh/wild_any, ssh/wild_carol       ed25519 (NAME, NAME.pub, NAME.b64)
#   pki/wild-ca                        the user CA of wild.test
#   pki/wild-alice                     uid alice, dNSName wild.test
#                                      (explicit record: authenticated)
#   pki/wild-sub-alice                 uid alice, dNSName sub.wild.test
#                                      (wildcard *.wild.test: refused)
#   pki/wild-alias-alice               uid alice, dNSName x.alias.wild.test
#                                      (wildcard CNAME: refused)
#   pki/wild-cname-alice               uid alice, dNSName cname.wild.test
#                                      (CNAME to a wildcard: refused)
#   pki/wild-carol-self, wild-any-self self-signed, for per-user records
#                                      (dance_verify_user_chain)
# tests/rig/README.md lists the answers; tests: unit_dns, rig_dns,
# rig_verify, e2e_sshd.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

Z=wild.test
zone_new "$Z" signed
add_rr "$Z" wild-base "$Z. $RIG_TTL IN A 127.0.0.1"

mkdir -p "$FIX/ssh"
for k in wild_any wild_carol; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$FIX/ssh/$k" ||
		rig_die "17-wildcard: ssh-keygen $k failed"
	cut -d' ' -f2 "$FIX/ssh/$k.pub" >"$FIX/ssh/$k.b64"
done

mk_ca wild-ca
mk_user_cert wild-alice wild-ca alice wild.test
mk_user_cert wild-sub-alice wild-ca alice sub.wild.test
mk_user_cert wild-alias-alice wild-ca alice x.alias.wild.test
mk_user_cert wild-cname-alice wild-ca alice cname.wild.test
mk_cert wild-carol-self --uid carol --dns wild.test
mk_cert wild-any-self --uid alice --dns wild.test

add_rr "$Z" wild \
	"$(tlsa_rr "_user.$Z" 2 0 1 "$PKI/wild-ca.pem")" \
	"$(ssh_tlsa_rr "carol._user.$Z" "$FIX/ssh/wild_carol.pub" 0)" \
	"$(ssh_tlsa_rr "carol._user.$Z" "$FIX/ssh/wild_carol.pub" 1)" \
	"$(tlsa_rr "carol._user.$Z" 3 1 1 "$PKI/wild-carol-self.pem")" \
	"$(ssh_tlsa_rr "*._user.$Z" "$FIX/ssh/wild_any.pub" 0)" \
	"$(ssh_tlsa_rr "*._user.$Z" "$FIX/ssh/wild_any.pub" 1)" \
	"$(tlsa_rr "*._user.$Z" 3 1 1 "$PKI/wild-any-self.pem")" \
	"$(tlsa_rr "*.$Z" 2 0 1 "$PKI/wild-ca.pem")" \
	"*.alias.$Z. $RIG_TTL IN CNAME _user.$Z." \
	"_user.cname.$Z. $RIG_TTL IN CNAME _user.sub.$Z."
