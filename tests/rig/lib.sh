# shellcheck shell=bash
# lib.sh -- shell functions for fixture scripts (tests/rig/fixtures.d/*.sh)
# and for tests/rig/rig-zone.sh. Source it:   . "$SRC/tests/rig/lib.sh"
#
# Needs FIX (the fixture directory). Everything here is deterministic in
# structure; keys and signatures are fresh at every run.
#
# Certificates (files in $FIX/pki/):
#   mk_ca NAME [mk_cert options]             self-signed root CA
#   mk_ca NAME --issuer CA [options]          intermediate CA
#   mk_user_cert NAME ISSUER UID DOMAIN [mk_cert options]
#   mk_cert NAME [options]                    anything else
#     --issuer CA       signer (a NAME made before); default: self-signed
#     --subject DN      "/CN=x/O=y"; default "/CN=NAME"
#     --ca              CA profile (basicConstraints critical CA:TRUE,
#                       keyUsage critical keyCertSign,cRLSign)
#     --leaf            user profile (CA:FALSE, keyUsage critical
#                       digitalSignature, EKU clientAuth)   [default]
#     --uid UID         SAN otherName 0.9.2342.19200300.100.1.1 UTF8String
#     --dns NAME        SAN dNSName (repeatable)
#     --san LINE        raw line for the SAN section, e.g. "email.1=a@b.test"
#                       or "otherName.2=1.3.6.1.5.5.7.8.9;UTF8:a@b.test"
#     --ext LINE        raw extension line, overrides the profile's line for
#                       the same extension, e.g. "extendedKeyUsage=serverAuth"
#     --no-ext NAME     drop the profile's extension NAME (e.g. extendedKeyUsage)
#     --start WHEN      notBefore: "-1d" (default), "+3d", "-2h" or a date
#                       YYYYMMDDHHMMSSZ
#     --end WHEN        notAfter: default "+400d"
#     --key-alg ALG     ec (P-256, default), ec384, rsa (3072), rsa2048, ed25519;
#                       weak keys for refusal tests: rsa1024, ec-p192
#     --md DIGEST       signature digest (openssl ca -md); default the
#                       config's sha256; sha1, md5 for refusal tests
#     --key FILE        reuse an existing private key (PEM)
#   Each NAME gives $FIX/pki/NAME.key (PKCS#8 PEM, mode 600), NAME.pem (the
#   certificate), NAME.chain.pem (the certificate, then its issuers up to
#   and including the root: what a client sends for DANE-TA), NAME.full.pem
#   (key followed by the chain, e.g. for imtest -t) and NAME.der.
#
# DNS records:
#   zone_new ZONE [POLICY]      declare a zone (POLICY: signed, nsec3,
#                               bogus, expired, unsigned; default signed)
#   add_rr ZONE FILE LINE...    append zone-file lines to
#                               $FIX/zones/ZONE.d/FILE.rr (absolute owners)
#   tlsa_data USAGE SEL MTYPE PEMFILE      the association data, hex
#   tlsa_rr OWNER USAGE SEL MTYPE PEMFILE  one zone-file TLSA line
#                               (PEMFILE: certificate; for selector 1 also a
#                               PEM public key)
#   ssh_spki_der PUBFILE OUT    SubjectPublicKeyInfo (DER) of an OpenSSH key
#   ssh_tlsa_rr OWNER PUBFILE [MTYPE]      "OWNER TTL IN TLSA 3 1 MTYPE ..."
#
# Zone assembly and signing (used by 90-zones.sh and rig-zone.sh):
#   zone_assemble ZONE DIR SERIAL OUT   SOA + NS + DIR/*.rr -> OUT
#   zone_sign ZONE POLICY IN OUT KEYDIR sign IN by POLICY into OUT

RIG_TTL=${RIG_TTL:-300}
PKI=${FIX:?FIX not set}/pki

rig_die() {
	echo "fixtures: $*" >&2
	exit 1
}

# ---- time -------------------------------------------------------------

# rig_when WHEN FORMAT: "-1d", "+400d", "-2h", "+30m", "now" or a literal
# date (returned unchanged) in date(1) FORMAT, UTC.
rig_when() {
	local w=$1 fmt=$2 n unit
	case $w in
	now) date -u "+$fmt" ;;
	[+-][0-9]*[dhms])
		n=${w%?}
		unit=${w: -1}
		case $unit in
		d) unit=days ;; h) unit=hours ;; m) unit=minutes ;; s) unit=seconds ;;
		esac
		date -u -d "$n $unit" "+$fmt"
		;;
	*) echo "$w" ;;
	esac
}

# ---- keys and certificates ---------------------------------------------

# mk_key FILE [ALG]
mk_key() {
	local f=$1 alg=${2:-ec}
	case $alg in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$f" ;;
	ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$f" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$f" ;;
	rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$f" ;;
	rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$f" ;;
	ec-p192) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-192 -out "$f" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$f" ;;
	*) rig_die "mk_key: unknown algorithm $alg" ;;
	esac 2>/dev/null || rig_die "mk_key: openssl genpkey $alg failed"
	chmod 600 "$f"
}

# The openssl ca database shared by every certificate of this run.
rig_ca_db() {
	local d=$PKI/.ca
	if [ ! -d "$d" ]; then
		mkdir -p "$d/new"
		: >"$d/index.txt"
		echo "unique_subject = no" >"$d/index.txt.attr"
		echo 1000 >"$d/serial"
		cat >"$d/ca.cnf" <<EOF
[ ca ]
default_ca = rig_ca
[ rig_ca ]
database = $d/index.txt
new_certs_dir = $d/new
serial = $d/serial
default_md = sha256
policy = rig_policy
email_in_dn = no
unique_subject = no
copy_extensions = none
[ rig_policy ]
commonName = optional
[ req ]
distinguished_name = rig_dn
[ rig_dn ]
EOF
	fi
	echo "$d"
}

mk_cert() {
	local name=${1:?mk_cert NAME [options]}
	shift
	local issuer="" subject="/CN=$name" profile=leaf start=-1d end=+400d
	local keyalg=ec keyfile="" uid="" md="" dns=() san=() ext=() noext=()
	while [ $# -gt 0 ]; do
		case $1 in
		--issuer) issuer=$2; shift ;;
		--subject) subject=$2; shift ;;
		--ca) profile=ca ;;
		--leaf) profile=leaf ;;
		--uid) uid=$2; shift ;;
		--dns) dns+=("$2"); shift ;;
		--san) san+=("$2"); shift ;;
		--ext) ext+=("$2"); shift ;;
		--no-ext) noext+=("$2"); shift ;;
		--start) start=$2; shift ;;
		--end) end=$2; shift ;;
		--key-alg) keyalg=$2; shift ;;
		--key) keyfile=$2; shift ;;
		--md) md=$2; shift ;;
		*) rig_die "mk_cert $name: unknown option $1" ;;
		esac
		shift
	done
	mkdir -p "$PKI"
	local db out=$PKI/$name
	db=$(rig_ca_db)
	if [ -n "$keyfile" ]; then
		cp "$keyfile" "$out.key"
		chmod 600 "$out.key"
	else
		mk_key "$out.key" "$keyalg"
	fi

	# Extension section: the profile, then overrides.
	local -A e=()
	local order=()
	rig_ext() {
		[ -n "${e[$1]+x}" ] || order+=("$1")
		e[$1]=$2
	}
	rig_ext subjectKeyIdentifier hash
	[ -z "$issuer" ] || rig_ext authorityKeyIdentifier keyid:always
	if [ "$profile" = ca ]; then
		rig_ext basicConstraints critical,CA:TRUE
		rig_ext keyUsage critical,keyCertSign,cRLSign
	else
		rig_ext basicConstraints CA:FALSE
		rig_ext keyUsage critical,digitalSignature
		rig_ext extendedKeyUsage clientAuth
	fi
	local sanlines=() i=1 d
	[ -z "$uid" ] || sanlines+=("otherName.1 = 0.9.2342.19200300.100.1.1;FORMAT:UTF8,UTF8:$uid")
	for d in "${dns[@]}"; do
		sanlines+=("DNS.$i = $d")
		i=$((i + 1))
	done
	sanlines+=("${san[@]}")
	[ ${#sanlines[@]} -eq 0 ] || rig_ext subjectAltName @rig_san
	local l
	for l in "${ext[@]}"; do rig_ext "${l%%=*}" "${l#*=}"; done
	for l in "${noext[@]}"; do unset "e[$l]"; done
	{
		echo "[ rig_ext ]"
		for l in "${order[@]}"; do
			[ -z "${e[$l]+x}" ] || echo "$l = ${e[$l]}"
		done
		echo "[ rig_san ]"
		for l in "${sanlines[@]}"; do echo "$l"; done
	} >"$out.ext"

	local s e2
	s=$(rig_when "$start" '%Y%m%d%H%M%SZ')
	e2=$(rig_when "$end" '%Y%m%d%H%M%SZ')
	openssl req -new -config "$db/ca.cnf" -key "$out.key" -subj "$subject" \
		-out "$out.csr" 2>"$out.err" || rig_die "mk_cert $name: req: $(cat "$out.err")"
	local sign=()
	if [ -z "$issuer" ]; then
		sign=(-selfsign -keyfile "$out.key")
	else
		[ -f "$PKI/$issuer.pem" ] || rig_die "mk_cert $name: no issuer $issuer"
		sign=(-cert "$PKI/$issuer.pem" -keyfile "$PKI/$issuer.key")
	fi
	openssl ca -batch -config "$db/ca.cnf" -notext -rand_serial -preserveDN \
		${md:+-md "$md"} -in "$out.csr" -out "$out.pem" "${sign[@]}" \
		-startdate "$s" -enddate "$e2" -extfile "$out.ext" -extensions rig_ext \
		>"$out.err" 2>&1 || rig_die "mk_cert $name: ca: $(cat "$out.err")"
	rm -f "$out.csr" "$out.err"
	openssl x509 -in "$out.pem" -outform DER -out "$out.der"
	if [ -z "$issuer" ]; then
		cp "$out.pem" "$out.chain.pem"
	else
		cat "$out.pem" "$PKI/$issuer.chain.pem" >"$out.chain.pem"
	fi
	cat "$out.key" "$out.chain.pem" >"$out.full.pem"
	chmod 600 "$out.full.pem"
}

mk_ca() {
	local name=${1:?mk_ca NAME [options]}
	shift
	mk_cert "$name" --ca --subject "/O=dance rig/CN=$name user CA" "$@"
}

mk_user_cert() {
	local name=${1:?} issuer=${2:?} uid=${3:?} domain=${4:?}
	shift 4
	mk_cert "$name" --issuer "$issuer" --subject "/CN=$uid" --uid "$uid" \
		--dns "$domain" "$@"
}

# ---- TLSA ---------------------------------------------------------------

# rig_hex: stdin bytes -> lowercase hex on one line
rig_hex() { od -An -v -tx1 | tr -d ' \n'; }

# tlsa_data USAGE SEL MTYPE PEMFILE
tlsa_data() {
	local sel=$2 mtype=$3 f=$4 tmp
	tmp=$(mktemp)
	if grep -q 'BEGIN PUBLIC KEY' "$f"; then
		[ "$sel" = 1 ] || rig_die "tlsa_data: $f is a public key, selector must be 1"
		openssl pkey -pubin -in "$f" -outform DER -out "$tmp"
	elif [ "$sel" = 0 ]; then
		openssl x509 -in "$f" -outform DER -out "$tmp"
	else
		openssl x509 -in "$f" -noout -pubkey |
			openssl pkey -pubin -outform DER -out "$tmp"
	fi
	[ -s "$tmp" ] || rig_die "tlsa_data: cannot read $f"
	rig_match "$mtype" "$tmp"
	rm -f "$tmp"
}

# rig_match MTYPE FILE: the association data of FILE's octets, hex
rig_match() {
	case $1 in
	0) rig_hex <"$2" ;;
	1) sha256sum "$2" | cut -d' ' -f1 ;;
	2) sha512sum "$2" | cut -d' ' -f1 ;;
	*) rig_die "rig_match: matching type $1" ;;
	esac
}

# tlsa_rr OWNER USAGE SEL MTYPE PEMFILE
tlsa_rr() {
	local owner=$1
	case $owner in *.) ;; *) owner=$owner. ;; esac
	echo "$owner $RIG_TTL IN TLSA $2 $3 $4 $(tlsa_data "$2" "$3" "$4" "$5")"
}

# ssh_spki_der PUBFILE OUT: DER SubjectPublicKeyInfo of an OpenSSH public key
ssh_spki_der() {
	local pub=$1 out=$2 type blob
	read -r type blob _ <"$pub"
	case $type in
	ssh-ed25519)
		# blob: string "ssh-ed25519" (4+11 octets), string key (4+32)
		printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00' >"$out"
		echo "$blob" | base64 -d | tail -c 32 >>"$out"
		;;
	ssh-rsa | ecdsa-sha2-*)
		ssh-keygen -e -m PKCS8 -f "$pub" | openssl pkey -pubin -outform DER -out "$out"
		;;
	*) rig_die "ssh_spki_der: key type $type" ;;
	esac
}

# ssh_tlsa_rr OWNER PUBFILE [MTYPE]
ssh_tlsa_rr() {
	local owner=$1 pub=$2 mtype=${3:-1} tmp
	case $owner in *.) ;; *) owner=$owner. ;; esac
	tmp=$(mktemp)
	ssh_spki_der "$pub" "$tmp"
	echo "$owner $RIG_TTL IN TLSA 3 1 $mtype $(rig_match "$mtype" "$tmp")"
	rm -f "$tmp"
}

# ---- zones ---------------------------------------------------------------

# zone_new ZONE [POLICY]
zone_new() {
	local z=${1%.} p=${2:-signed}
	case $p in signed | nsec3 | bogus | expired | unsigned) ;;
	*) rig_die "zone_new $z: unknown policy $p" ;;
	esac
	mkdir -p "$FIX/zones/$z.d"
	echo "$p" >"$FIX/zones/$z.policy"
}

# add_rr ZONE FILE LINE...
add_rr() {
	local z=${1%.} f=$2
	shift 2
	[ -d "$FIX/zones/$z.d" ] || rig_die "add_rr: no zone $z (zone_new first)"
	printf '%s\n' "$@" >>"$FIX/zones/$z.d/$f.rr"
}

# zone_assemble ZONE DIR SERIAL OUT
zone_assemble() {
	local z=${1%.} dir=$2 serial=$3 out=$4
	{
		echo "\$ORIGIN $z."
		echo "\$TTL $RIG_TTL"
		echo "$z. $RIG_TTL IN SOA ns.test. hostmaster.test. $serial 3600 600 86400 $RIG_TTL"
		echo "$z. $RIG_TTL IN NS ns.test."
		local f
		for f in "$dir"/*.rr; do
			[ -e "$f" ] || continue
			echo "; $(basename "$f")"
			cat "$f"
		done
	} >"$out"
}

# zone_keys ZONE KEYDIR: make a key signing key for ZONE once; prints its
# base name (KEYDIR/K<zone>.+013+<id>).
zone_keys() {
	local z=${1%.} dir=$2 base
	mkdir -p "$dir"
	local f
	base=
	for f in "$dir"/K"$z".+013+*.private; do
		[ -e "$f" ] && base=$f && break
	done
	if [ -z "$base" ]; then
		base=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 -k "$z.") ||
			rig_die "ldns-keygen $z failed"
		base=$dir/$base
	else
		base=${base%.private}
	fi
	echo "$base"
}

# zone_sign ZONE POLICY IN OUT KEYDIR
zone_sign() {
	local z=${1%.} policy=$2 in=$3 out=$4 keydir=$5 key
	local inc exp nsec3=()
	inc=$(rig_when -1h '%Y%m%d%H%M%S')
	exp=$(rig_when +30d '%Y%m%d%H%M%S')
	case $policy in
	unsigned)
		cp "$in" "$out"
		return
		;;
	expired)
		inc=$(rig_when -60d '%Y%m%d%H%M%S')
		exp=$(rig_when -30d '%Y%m%d%H%M%S')
		;;
	nsec3) nsec3=(-n -t 0) ;;
	esac
	key=$(zone_keys "$z" "$keydir")
	ldns-signzone "${nsec3[@]}" -i "$inc" -e "$exp" -o "$z." -f "$out.tmp" \
		"$in" "$key" >/dev/null || rig_die "ldns-signzone $z failed"
	if [ "$policy" = bogus ]; then
		rig_corrupt_rrsigs TLSA <"$out.tmp" >"$out" || rig_die "corrupting $z failed"
		rm -f "$out.tmp"
	else
		mv "$out.tmp" "$out"
	fi
}

# rig_corrupt_rrsigs TYPE: copy a signed zone from stdin to stdout with one
# base64 character flipped in every RRSIG that covers TYPE.
rig_corrupt_rrsigs() {
	awk -v t="$1" '
	$4 == "RRSIG" && $5 == t {
		s = $NF; c = substr(s, 10, 1)
		$NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11)
		n++
	}
	{ print }
	END { if (n == 0) print "; no RRSIG over " t " to corrupt" > "/dev/stderr" }'
}
