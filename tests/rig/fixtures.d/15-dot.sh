#!/usr/bin/env bash
# 15-dot.sh: the certificate of the rig's DNS-over-TLS service (nsd's
# tls-port; dance-rig writes RUNDIR/dance-dot.conf for it).
#   pki/dot-ca       self-signed CA: the tls-ca-bundle of dance-dot.conf
#   pki/dot-server   TLS name dns.test (dNSName), EKU serverAuth, by dot-ca
#   pki/dot-cn-only  dns.test in the subject CN only (no subjectAltName)
#   pki/dot-expired  like dot-server, expired yesterday
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

mk_ca dot-ca
mk_cert dot-server --issuer dot-ca --subject /CN=dns.test --dns dns.test \
	--ext extendedKeyUsage=serverAuth
# Certificates a DNS-over-TLS client must refuse (served by openssl s_server
# in tests/rig_dot.c): the name only in the subject CN, and expired.
mk_cert dot-cn-only --issuer dot-ca --subject /CN=dns.test \
	--ext extendedKeyUsage=serverAuth
mk_cert dot-expired --issuer dot-ca --subject /CN=dns.test --dns dns.test \
	--ext extendedKeyUsage=serverAuth --start -30d --end -1d
