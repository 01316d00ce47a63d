#!/usr/bin/env bash
# 41-sshd.sh: users, keys and records for the sshd helper's tests
# (tests/e2e_sshd.c, bench/bench_sshd.c, scripts/demo-sshd.sh).
#
# Zones (all signed, delegated from test. with a DS by 90-zones.sh):
#   ssh.test      users with plain labels; an SSH CA at _user.ssh.test
#   sshhash.test  a user with a hashed label (domain-user-label ... hashed)
#   hole.test     a user whose zone the tests send to the rig's black hole
#
# Keys in $FIX/sshd/ (NAME and NAME.pub, no passphrase; NAME-cert.pub for
# certificates), and the records published for them:
#   ed        ed25519      ed._user.ssh.test      3 1 1
#   ec        ecdsa-p256   ec._user.ssh.test      3 1 2
#   rsa       rsa-3072     rsa._user.ssh.test     3 1 0
#   hash      ed25519      <sha256-28 of "hash">._user.sshhash.test  3 1 1
#   ca        ed25519 SSH CA                   _user.ssh.test  2 1 0
#   cert      ed25519, cert-cert.pub from ca: -I cert-id -n cert@ssh.test
#   wrongp    ed25519, wrongp-cert.pub from ca: -n someone-else@ssh.test
#   xca       ecdsa-p256 (PEM private key): ssh.test's X.509 user CA, with
#             xca.crt, published as "dance tlsa ca" does by default:
#             _user.ssh.test 2 0 1 and 2 1 1 (never 2 1 0)
#   xcert     ed25519, xcert-cert.pub signed by xca's key:
#             -n xcert@ssh.test (refused: the X.509 CA is no SSH CA)
#   rot_old   ed25519      rot._user.ssh.test     3 1 1 (rot_new: not yet)
#   rot_new   ed25519      (the record a rotation publishes: rot_new.rr)
#   rev       ed25519      rev._user.ssh.test     3 1 1 (revoked by a test)
#   weak      rsa-1024     weak._user.ssh.test    3 1 1 (refused: too short)
#   dsa       dsa          not published (refused: key type)
#   stranger  ed25519      not published
#   hole      ed25519      hole._user.hole.test   3 1 1
# NAME.rr holds the zone-file line published (or to publish) for NAME;
# NAME.b64 the base64 key blob (what sshd passes as %k).
set -euo pipefail
# shellcheck source=tests/rig/lib.sh
. "$SRC/tests/rig/lib.sh"

d=$FIX/sshd
mkdir -p "$d"

keygen() { # NAME ssh-keygen-args...
	local n=$1
	shift
	ssh-keygen -q -N '' -C "$n@sshd-fixture" -f "$d/$n" "$@" 2>/dev/null ||
		rig_die "41-sshd: ssh-keygen $n failed"
	cut -d' ' -f2 "$d/$n.pub" >"$d/$n.b64"
}
publish() { # NAME OWNER ZONE MTYPE
	ssh_tlsa_rr "$2" "$d/$1.pub" "$4" >"$d/$1.rr"
	add_rr "$3" sshd "$(cat "$d/$1.rr")"
}

zone_new ssh.test signed
zone_new sshhash.test signed
zone_new hole.test signed
add_rr ssh.test sshd-base "ssh.test. $RIG_TTL IN A 127.0.0.1"
add_rr sshhash.test sshd-base "sshhash.test. $RIG_TTL IN A 127.0.0.1"
add_rr hole.test sshd-base "hole.test. $RIG_TTL IN A 127.0.0.1"

keygen ed -t ed25519
keygen ec -t ecdsa -b 256
keygen rsa -t rsa -b 3072
keygen hash -t ed25519
keygen ca -t ed25519
keygen cert -t ed25519
keygen wrongp -t ed25519
keygen rot_old -t ed25519
keygen rot_new -t ed25519
keygen rev -t ed25519
keygen weak -t rsa -b 1024
keygen dsa -t dsa
keygen stranger -t ed25519
keygen hole -t ed25519

publish ed ed._user.ssh.test ssh.test 1
publish ec ec._user.ssh.test ssh.test 2
publish rsa rsa._user.ssh.test ssh.test 0
label=$(printf '%s' hash | sha256sum | cut -c1-56)
publish hash "$label._user.sshhash.test" sshhash.test 1
publish rot_old rot._user.ssh.test ssh.test 1
ssh_tlsa_rr rot._user.ssh.test "$d/rot_new.pub" 1 >"$d/rot_new.rr"
publish rev rev._user.ssh.test ssh.test 1
publish weak weak._user.ssh.test ssh.test 1
publish hole hole._user.hole.test hole.test 1

# The domain's SSH CA, as DANE-TA(2) SPKI(1) Full(0).
tmp=$(mktemp)
ssh_spki_der "$d/ca.pub" "$tmp"
echo "_user.ssh.test. $RIG_TTL IN TLSA 2 1 0 $(rig_match 0 "$tmp")" >"$d/ca.rr"
rm -f "$tmp"
add_rr ssh.test sshd "$(cat "$d/ca.rr")"

ssh-keygen -q -s "$d/ca" -I cert-id -n cert@ssh.test "$d/cert.pub" ||
	rig_die "41-sshd: certificate"
ssh-keygen -q -s "$d/ca" -I wrongp-id -n someone-else@ssh.test \
	"$d/wrongp.pub" || rig_die "41-sshd: certificate"
# The domain's X.509 user CA, as "dance tlsa ca" publishes it by default
# (2 0 1 and 2 1 1). Its key also signs an OpenSSH certificate, which the
# helper must refuse: only 2 1 0 names an SSH CA key.
ssh-keygen -q -N '' -C "xca@sshd-fixture" -m PEM -t ecdsa -b 256 \
	-f "$d/xca" 2>/dev/null || rig_die "41-sshd: ssh-keygen xca failed"
openssl req -x509 -new -key "$d/xca" -subj "/O=dance rig/CN=ssh.test user CA" \
	-days 3650 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out "$d/xca.crt" \
	2>/dev/null || rig_die "41-sshd: X.509 CA certificate"
{
	tlsa_rr _user.ssh.test 2 0 1 "$d/xca.crt"
	tlsa_rr _user.ssh.test 2 1 1 "$d/xca.crt"
} >"$d/xca.rr"
add_rr ssh.test sshd "$(cat "$d/xca.rr")"
keygen xcert -t ed25519
ssh-keygen -q -s "$d/xca" -I xcert-id -n xcert@ssh.test "$d/xcert.pub" ||
	rig_die "41-sshd: certificate"
cut -d' ' -f2 "$d/xcert-cert.pub" >"$d/xcert-cert.b64"

cut -d' ' -f2 "$d/cert-cert.pub" >"$d/cert-cert.b64"
cut -d' ' -f2 "$d/wrongp-cert.pub" >"$d/wrongp-cert.b64"
