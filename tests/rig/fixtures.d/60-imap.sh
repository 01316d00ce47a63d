#!/usr/bin/env bash
# 60-imap.sh: the test IMAP server's certificate, for tests/e2e_imap.c and
# scripts/demo-imap.sh:
#   pki/imapd.pem, imapd.key   self-signed for "localhost"; clients trust it
#                              as it is (dance-tls-client -C pki/imapd.pem)
# The users are the rig's (pki/alice.* of good.test, ...) and the
# verification cases' (pki/v-*, 20-verify.sh); no DNS records of its own.
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

mk_cert imapd --subject /CN=localhost --dns localhost \
	--ext "extendedKeyUsage=serverAuth" \
	--ext "keyUsage=critical,digitalSignature,keyEncipherment"
