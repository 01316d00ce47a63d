#!/usr/bin/env bash
# 00-zones.sh: declare the rig's zones and their records that need no keys.
# See tests/rig/README.md for every name and the answer class it gives.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

zone_new test signed         # parent of all: delegates the others (90-zones.sh)
zone_new good.test signed    # NSEC
zone_new other.test nsec3    # a second domain, NSEC3 (iterations 0, no salt)
zone_new bogus.test bogus    # every TLSA RRSIG altered after signing
zone_new expired.test expired
zone_new insecure.test unsigned

add_rr test base "ns.test. $RIG_TTL IN A 127.0.0.1"

# good.test: NODATA, NXDOMAIN (nxdomain.good.test has no records at all),
# CNAMEs, an IDN domain.
add_rr good.test base \
	"good.test. $RIG_TTL IN A 127.0.0.1" \
	"nodata.good.test. $RIG_TTL IN A 127.0.0.1" \
	"_user.nodata.good.test. $RIG_TTL IN TXT \"no TLSA here\"" \
	"_user.alias.good.test. $RIG_TTL IN CNAME _user.good.test." \
	"_user.alias-insecure.good.test. $RIG_TTL IN CNAME _user.insecure.test." \
	"_user.alias-bogus.good.test. $RIG_TTL IN CNAME _user.bogus.test." \
	"_user.alias-nxdomain.good.test. $RIG_TTL IN CNAME _user.nxdomain.good.test." \
	"xn--bcher-kva.good.test. $RIG_TTL IN A 127.0.0.1"

add_rr other.test base \
	"other.test. $RIG_TTL IN A 127.0.0.1" \
	"nodata.other.test. $RIG_TTL IN A 127.0.0.1" \
	"_user.nodata.other.test. $RIG_TTL IN TXT \"no TLSA here\""

# Data other than TLSA stays valid in bogus.test.
add_rr bogus.test base "www.bogus.test. $RIG_TTL IN A 127.0.0.1"
add_rr expired.test base "www.expired.test. $RIG_TTL IN A 127.0.0.1"
add_rr insecure.test base \
	"www.insecure.test. $RIG_TTL IN A 127.0.0.1" \
	"_user.nodata.insecure.test. $RIG_TTL IN TXT \"no TLSA here\""
