#!/usr/bin/env bash
# 40-ssh-keys.sh: OpenSSH keys and their SubjectPublicKeyInfo as golden
# vectors for lib/sshkey.c (tests/unit_sshkey.c) and for the sshd tests.
#
# In $FIX/ssh/, for each NAME below:
#   NAME, NAME.pub     the key pair made by ssh-keygen
#   NAME.blob          the public key blob (base64-decoded .pub field 2)
#   NAME.spki.der      its SubjectPublicKeyInfo as OpenSSL/OpenSSH see it:
#                      ssh-keygen -e -m PKCS8 | openssl pkey -pubin (RSA,
#                      ECDSA); the RFC 8410 prefix + key (Ed25519)
#   NAME.spki.sha256, NAME.spki.sha512   hex digests of NAME.spki.der
# Supported NAMEs: ed25519 ecdsa256 ecdsa384 ecdsa521 rsa2048 rsa3072 rsa4096
# OpenSSL-made keys, converted to OpenSSH by ssh-keygen -i (or by hand for
# Ed25519), same files without the private key:
#   ossl-ed25519 ossl-ecdsa256 ossl-ecdsa384 ossl-ecdsa521 ossl-rsa2048
#   ossl-rsa2048-e3 (public exponent 3)
# Refused (only NAME, NAME.pub, NAME.blob): dsa, rsa1024,
#   ed25519-cert (an OpenSSH certificate of ed25519.pub signed by ca-ed25519)
# SSH CA: ca-ed25519, ca-ed25519.pub (and .blob, .spki.der, digests).
set -euo pipefail
d=$FIX/ssh
mkdir -p "$d"
cd "$d"

blob() { cut -d' ' -f2 "$1.pub" | base64 -d > "$1.blob"; }
digests() {
	openssl dgst -sha256 -r "$1.spki.der" | cut -d' ' -f1 > "$1.spki.sha256"
	openssl dgst -sha512 -r "$1.spki.der" | cut -d' ' -f1 > "$1.spki.sha512"
}
keygen() { # NAME ssh-keygen-args...
	local name=$1
	shift
	ssh-keygen -q -N '' -C "$name@fixture" -f "$name" "$@"
	blob "$name"
}

# Ed25519 SPKI: SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING key }.
ed25519_spki() { # NAME: from NAME.blob (last 32 octets are the key)
	{
		printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'
		tail -c 32 "$1.blob"
	} > "$1.spki.der"
}

keygen ed25519 -t ed25519
ed25519_spki ed25519
digests ed25519
for b in 256 384 521; do
	keygen ecdsa$b -t ecdsa -b $b
done
for b in 2048 3072 4096; do
	keygen rsa$b -t rsa -b $b
done
for k in ecdsa256 ecdsa384 ecdsa521 rsa2048 rsa3072 rsa4096; do
	ssh-keygen -e -m PKCS8 -f "$k.pub" |
		openssl pkey -pubin -outform DER -out "$k.spki.der"
	digests "$k"
done

# Keys made by OpenSSL, SPKI by OpenSSL, OpenSSH form by ssh-keygen -i.
ossl() { # NAME genpkey-args...
	local name=$1
	shift
	openssl genpkey "$@" -out "$name.key" 2>/dev/null
	openssl pkey -in "$name.key" -pubout -outform DER -out "$name.spki.der"
	rm -f "$name.key"
	digests "$name"
}
ossl ossl-ecdsa256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
ossl ossl-ecdsa384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
ossl ossl-ecdsa521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
ossl ossl-rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
ossl ossl-rsa2048-e3 -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-pkeyopt rsa_keygen_pubexp:3
for k in ossl-ecdsa256 ossl-ecdsa384 ossl-ecdsa521 ossl-rsa2048 \
	ossl-rsa2048-e3; do
	openssl pkey -pubin -inform DER -in "$k.spki.der" -out "$k.spki.pem"
	echo "$(ssh-keygen -i -m PKCS8 -f "$k.spki.pem") $k@fixture" > "$k.pub"
	rm -f "$k.spki.pem"
	blob "$k"
done
# ssh-keygen cannot import Ed25519 SPKI: build the blob by hand.
ossl ossl-ed25519 -algorithm ed25519
{
	printf '\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20'
	tail -c 32 ossl-ed25519.spki.der
} > ossl-ed25519.blob
echo "ssh-ed25519 $(base64 -w0 < ossl-ed25519.blob) ossl-ed25519@fixture" \
	> ossl-ed25519.pub

# Keys dance refuses.
keygen dsa -t dsa
keygen rsa1024 -t rsa -b 1024
keygen ca-ed25519 -t ed25519
ed25519_spki ca-ed25519
digests ca-ed25519
cp ed25519.pub ed25519-cert-src.pub
ssh-keygen -q -s ca-ed25519 -I alice@example.org -n alice@example.org \
	-V -1d:+3650d ed25519-cert-src.pub
mv ed25519-cert-src-cert.pub ed25519-cert.pub
rm -f ed25519-cert-src.pub
blob ed25519-cert
