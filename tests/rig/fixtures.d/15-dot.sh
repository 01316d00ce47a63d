#!/usr/bin/env bash
# 15-dot.sh: the certificate of the rig's DNS-over-TLS service (nsd's
# tls-port; dance-rig writes RUNDIR/dance-dot.conf for it).
#   pki/dot-ca       self-signed CA: the tls-ca-bundle of dance-dot.conf
#   pki/dot-server   TLS name dns.test (dNSName), EKU serverAuth, by dot-ca
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

mk_ca dot-ca
mk_cert dot-server --issuer dot-ca --subject /CN=dns.test --dns dns.test \
	--ext extendedKeyUsage=serverAuth
