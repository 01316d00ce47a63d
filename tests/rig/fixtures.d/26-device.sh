#!/usr/bin/env bash
# 26-device.sh: devices named as in draft-ietf-dance-client-auth, whose
# DNS name (<name>._device.<domain>) is both the certificate's dNSName and
# the owner of its TLSA records, checked with the generic DANE check
# (tests/rig_device.c):
#   pki/dev-ee    self-signed, dNSName dev1._device.good.test, published
#                 as 3 1 1 at dev1._device.good.test
#   pki/dev-ca    a device CA;
#   pki/dev-ta    issued by it, dNSName dev2._device.good.test; the CA is
#                 published as 2 0 1 at dev2._device.good.test
#   pki/dev-rogue issued by dev-ca for dev1._device.good.test, where only
#                 dev-ee's own key is published (must not match)
# The same records go to $FIX/verify/dev1.tlsa and dev2.tlsa (offline).
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

V=$FIX/verify
mkdir -p "$V"
D1=dev1._device.good.test
D2=dev2._device.good.test

mk_cert dev-ee --dns "$D1" --subject "/CN=$D1"
mk_ca dev-ca
mk_cert dev-ta --issuer dev-ca --dns "$D2" --subject "/CN=$D2"
mk_cert dev-rogue --issuer dev-ca --dns "$D1" --subject "/CN=$D1"

r1=$(tlsa_rr "$D1" 3 1 1 "$FIX/pki/dev-ee.pem")
r2=$(tlsa_rr "$D2" 2 0 1 "$FIX/pki/dev-ca.pem")
add_rr good.test device "$r1" "$r2"
printf '%s\n' "$r1" >"$V/dev1.tlsa"
printf '%s\n' "$r2" >"$V/dev2.tlsa"
