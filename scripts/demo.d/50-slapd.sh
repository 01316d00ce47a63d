# shellcheck shell=bash disable=SC2153
# 50-slapd.sh (demo part, sourced by scripts/demo.sh or demo-slapd.sh):
# Debian's stock slapd loads dance_certmap.so; a DANE user binds with SASL
# EXTERNAL and ldapwhoami prints the identity; a forged certificate naming
# the administrator gets nothing. Uses FIX, CONF, BUILD, step, expect and
# demo_cleanup_add from scripts/lib/demo.sh; slapd is stopped by its PID
# when the demo ends.

slapd_demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/dance-demo-slapd.XXXXXX")
slapd_demo_pid=
# shellcheck disable=SC2016 # expanded when the demo ends
demo_cleanup_add 'slapd_demo_stop; rm -rf "$slapd_demo_dir"'

slapd_demo_stop() {
	if [ -n "$slapd_demo_pid" ]; then
		kill "$slapd_demo_pid" 2>/dev/null || true
		wait "$slapd_demo_pid" 2>/dev/null || true
		slapd_demo_pid=
	fi
}

# A TCP port on 127.0.0.1 that nobody listens on.
slapd_demo_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# slapd_demo_whoami WANT CERT KEY ARGS...: ldapwhoami -Y EXTERNAL with a
# client certificate; its output must be WANT ("refused": no DN at all).
slapd_demo_whoami() {
	local want=$1 cert=$2 key=$3 out
	shift 3
	printf '$ LDAPTLS_CERT=%s LDAPTLS_KEY=%s ldapwhoami %s -Y EXTERNAL -Q\n' \
		"${cert#"$FIX/"}" "${key#"$FIX/"}" "$*"
	out=$(LDAPCONF=/dev/null LDAPRC=/dev/null \
		LDAPTLS_CACERT="$FIX/pki/slapd-ca.pem" \
		LDAPTLS_CERT="$cert" LDAPTLS_KEY="$key" \
		ldapwhoami "$@" -Y EXTERNAL -Q 2>&1) || true
	printf '%s\n' "$out" | sed 's/^/  /'
	if [ "$out" = "$want" ] ||
		{ [ "$want" = refused ] && ! grep -q '^dn:' <<<"$out"; }; then
		echo "  -> as expected"
	else
		echo "  -> EXPECTED: $want"
		DEMO_FAILED=$((DEMO_FAILED + 1))
	fi
}

slapd_demo_start() {
	local conf=$slapd_demo_dir/slapd.conf module=$BUILD/sasl/dance_certmap.so
	local attempt
	mkdir -p "$slapd_demo_dir/db"
	cat >"$conf" <<EOC
include /etc/ldap/schema/core.schema
pidfile $slapd_demo_dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
modulepath $(dirname "$module")
moduleload $(basename "$module") config=$CONF
TLSCertificateFile $FIX/pki/slapd-server.chain.pem
TLSCertificateKeyFile $FIX/pki/slapd-server.key
TLSVerifyClient allow
database mdb
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
directory $slapd_demo_dir/db
EOC
	for attempt in 1 2 3; do
		slapd_demo_ldaps=$(slapd_demo_port)
		slapd_demo_ldap=$(slapd_demo_port)
		/usr/sbin/slapd -d stats -f "$conf" -h \
			"ldaps://127.0.0.1:$slapd_demo_ldaps/ ldap://127.0.0.1:$slapd_demo_ldap/" \
			>"$slapd_demo_dir/slapd.log" 2>&1 &
		slapd_demo_pid=$!
		for _ in $(seq 1 100); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$slapd_demo_ldaps") 2>/dev/null; then
				return 0
			fi
			kill -0 "$slapd_demo_pid" 2>/dev/null || break
			sleep 0.05
		done
		slapd_demo_stop
	done
	echo "demo: slapd did not start (attempt $attempt); its log:"
	cat "$slapd_demo_dir/slapd.log"
	return 1
}

step "Stock slapd loads dance_certmap.so (TLSVerifyClient allow, no CA file; expect: it starts)"
if slapd_demo_start; then
	echo "  slapd (pid $slapd_demo_pid) on ldaps://127.0.0.1:$slapd_demo_ldaps/ and ldap://127.0.0.1:$slapd_demo_ldap/"
	grep 'dance_certmap: loaded' "$slapd_demo_dir/slapd.log" |
		sed 's/^[0-9a-f.]* 0x[0-9a-f]* /  /'

	step "alice@good.test binds with SASL EXTERNAL over ldaps:// (expect: her DANE identity)"
	slapd_demo_whoami "dn:uid=alice@good.test,cn=dance,cn=auth" \
		"$FIX/pki/alice.chain.pem" "$FIX/pki/alice.key" \
		-H "ldaps://127.0.0.1:$slapd_demo_ldaps/"

	step "The same over StartTLS (expect: the same identity)"
	slapd_demo_whoami "dn:uid=alice@good.test,cn=dance,cn=auth" \
		"$FIX/pki/alice.chain.pem" "$FIX/pki/alice.key" \
		-H "ldap://127.0.0.1:$slapd_demo_ldap/" -ZZ

	step "bob@other.test, another domain with its own CA (expect: his identity)"
	slapd_demo_whoami "dn:uid=bob@other.test,cn=dance,cn=auth" \
		"$FIX/pki/bob.chain.pem" "$FIX/pki/bob.key" \
		-H "ldaps://127.0.0.1:$slapd_demo_ldaps/"

	step "A self-signed certificate with subject cn=admin,dc=example,dc=org, the rootdn (expect: refused; stock slapd would bind as the rootdn)"
	slapd_demo_whoami refused \
		"$FIX/pki/slapd-admin-forged.pem" "$FIX/pki/slapd-admin-forged.key" \
		-H "ldaps://127.0.0.1:$slapd_demo_ldaps/"

	step "What slapd logged"
	grep 'dance_certmap: \(authenticated\|refused\)' "$slapd_demo_dir/slapd.log" |
		sed 's/^[0-9a-f.]* 0x[0-9a-f]* /  /'
	slapd_demo_stop
else
	DEMO_FAILED=$((DEMO_FAILED + 1))
fi
