#!/usr/bin/env bash
# 95-hermetic.sh: a configuration that needs no DNS server at all.
#   hermetic/unbound.conf  libunbound auth-zones (for-upstream) reading every
#                          zones/ZONE.zone; indeterminate names:
#                          servfail.test forwarded over TCP to a closed
#                          loopback port (SERVFAIL at once), refused.test a
#                          local zone of type refuse (REFUSED), silent.test
#                          forwarded over UDP to a closed port (no answer);
#                          every other name goes to a stub zone for the
#                          root at that closed port over TCP (SERVFAIL at
#                          once): nothing ever leaves the machine
#   hermetic/dance.conf    resolver recursive, the trust anchors,
#                          allow-domain *, lookup-timeout 1000, unbound-config
# The answers match the nsd rig's (tests/rig/README.md), except that nothing
# is logged and there is no slow server or black hole.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

h=$FIX/hermetic
mkdir -p "$h"
{
	echo "# libunbound settings for hermetic tests (dance.conf: unbound-config)"
	echo "server:"
	echo "	# .test is a built-in local zone of libunbound"
	echo "	local-zone: \"test.\" nodefault"
	echo "	do-not-query-localhost: no"
	echo "	# indeterminate: REFUSED"
	echo "	local-zone: \"refused.test.\" refuse"
	while read -r z; do
		echo "auth-zone:"
		echo "	name: \"$z.\""
		echo "	zonefile: \"$FIX/zones/$z.zone\""
		echo "	for-upstream: yes"
		echo "	for-downstream: no"
		echo "	fallback-enabled: no"
	done <"$FIX/zones/list"
	echo "# indeterminate: SERVFAIL at once (TCP to a closed port)"
	echo "forward-zone:"
	echo "	name: \"servfail.test.\""
	echo "	forward-addr: 127.0.0.1@9"
	echo "	forward-tcp-upstream: yes"
	echo "# indeterminate: no answer (UDP to a closed port)"
	echo "forward-zone:"
	echo "	name: \"silent.test.\""
	echo "	forward-addr: 127.0.0.1@9"
	echo "# everything else (outside the auth-zones): never the Internet. The"
	echo "# root goes to a closed loopback port over TCP: SERVFAIL at once,"
	echo "# instead of recursion from the root hints."
	echo "stub-zone:"
	echo "	name: \".\""
	echo "	stub-addr: 127.0.0.1@9"
	echo "	stub-tcp-upstream: yes"
} >"$h/unbound.conf"

{
	echo "# dance.conf for hermetic tests: no DNS server, see unbound.conf"
	echo "resolver recursive"
	for a in "$FIX"/anchors/*.ds; do echo "trust-anchor-file $a"; done
	echo "allow-domain *"
	echo "lookup-timeout 1000"
	echo "unbound-config $h/unbound.conf"
} >"$h/dance.conf"
