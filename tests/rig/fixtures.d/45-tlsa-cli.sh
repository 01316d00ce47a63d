#!/usr/bin/env bash
# 45-tlsa-cli.sh: certificates and keys for the tests of 'dance tlsa'
# (tests/unit_cli_tlsa.c), with the record data computed by OpenSSL so the
# tool's output is checked against an independent source.
#
# In $FIX/tlsa/:
#   ca.key ca.pem ca.der        a user CA (P-256, CA:TRUE), PEM and DER
#   ca.pub.pem ca.pub.der       its public key (SubjectPublicKeyInfo)
#   user.key user.pem           a user certificate issued by the CA
#                               (dNSName example.org, uid alice)
#   two.pem                     ca.pem and user.pem in one file
#   NAME.cert.{hex,sha256,sha512}   for NAME in ca, user: the certificate
#   NAME.spki.{hex,sha256,sha512}   and its public key, as lowercase hex:
#                               openssl x509 -pubkey | openssl pkey -pubin
#                               -outform DER | openssl dgst -sha256 ...
# The OpenSSH keys are 40-ssh-keys.sh's ($FIX/ssh/NAME.spki.*).
set -euo pipefail
d=$FIX/tlsa
mkdir -p "$d"
cd "$d"

hex() { od -An -v -tx1 | tr -d ' \n'; }
dgst() { openssl dgst "-$1" -r | cut -d' ' -f1; }
record_data() { # NAME: digests of NAME.pem's certificate and public key
	openssl x509 -in "$1.pem" -outform DER | hex > "$1.cert.hex"
	openssl x509 -in "$1.pem" -outform DER | dgst sha256 > "$1.cert.sha256"
	openssl x509 -in "$1.pem" -outform DER | dgst sha512 > "$1.cert.sha512"
	spki() { openssl x509 -in "$1.pem" -pubkey -noout |
		openssl pkey -pubin -outform DER; }
	spki "$1" | hex > "$1.spki.hex"
	spki "$1" | dgst sha256 > "$1.spki.sha256"
	spki "$1" | dgst sha512 > "$1.spki.sha512"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout ca.key -out ca.pem -subj "/CN=Example user CA" -days 3650 \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl x509 -in ca.pem -outform DER -out ca.der
openssl x509 -in ca.pem -pubkey -noout > ca.pub.pem
openssl pkey -pubin -in ca.pub.pem -outform DER -out ca.pub.der
record_data ca

cat > user.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:example.org,otherName:0.9.2342.19200300.100.1.1;UTF8:alice
EXT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout user.key -out user.csr -subj "/CN=alice" 2>/dev/null
openssl x509 -req -in user.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 365 -extfile user.ext -out user.pem 2>/dev/null
rm -f user.csr user.ext ca.srl
record_data user
cat ca.pem user.pem > two.pem
