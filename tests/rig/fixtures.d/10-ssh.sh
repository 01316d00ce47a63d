#!/usr/bin/env bash
# 10-ssh.sh: SSH keys of the rig's users (ssh/NAME and ssh/NAME.pub, no
# passphrase) and their 3 1 1 records.
#   alice_ed25519 alice_ecdsa alice_rsa   alice._user.good.test (all three)
#   alice_ed25519                         alice._user.{bogus,expired,insecure}.test
#   bob_ed25519                           bob._user.other.test
#   mallory_ed25519                       published nowhere
set -euo pipefail
. "$SRC/tests/rig/lib.sh"

mkdir -p "$FIX/ssh"
key() { # key NAME TYPE [BITS]
	ssh-keygen -q -t "$2" ${3:+-b "$3"} -N '' -C "$1" -f "$FIX/ssh/$1" ||
		rig_die "ssh-keygen $1 failed"
}
key alice_ed25519 ed25519
key alice_ecdsa ecdsa 256
key alice_rsa rsa 3072
key bob_ed25519 ed25519
key mallory_ed25519 ed25519

for k in alice_ed25519 alice_ecdsa alice_rsa; do
	add_rr good.test ssh "$(ssh_tlsa_rr alice._user.good.test "$FIX/ssh/$k.pub")"
done
for z in bogus expired insecure; do
	add_rr "$z.test" ssh "$(ssh_tlsa_rr "alice._user.$z.test" "$FIX/ssh/alice_ed25519.pub")"
done
add_rr other.test ssh "$(ssh_tlsa_rr bob._user.other.test "$FIX/ssh/bob_ed25519.pub")"
