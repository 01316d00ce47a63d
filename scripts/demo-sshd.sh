#!/usr/bin/env bash
# demo-sshd.sh RIG_RUNDIR FIXTURE_DIR [BUILD_DIR]: an ssh login with a key
# that only DNS knows.
#
# Uses a running DNS rig (RIG_RUNDIR/rig.env, as started by dance-rig) and
# the fixtures of tests/rig/fixtures.d/41-sshd.sh (user ed@ssh.test, whose
# ed25519 key is published as TLSA 3 1 1 at ed._user.ssh.test). Starts
# Debian's sshd on a free port of 127.0.0.1 with dance-authorized-keys
# (from BUILD_DIR, default ./build) as its AuthorizedKeysCommand, creates
# an account whose authorization file says "ed@ssh.test", logs in with
# ssh, shows the helper's decision, shows that a key not in DNS is
# refused, then stops sshd (by PID) and removes everything it created.
# Needs root. Exit status 0 if the login worked and the stranger did not.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rig=${1:?usage: demo-sshd.sh RIG_RUNDIR FIXTURE_DIR [BUILD_DIR]}
fix=${2:?usage: demo-sshd.sh RIG_RUNDIR FIXTURE_DIR [BUILD_DIR]}
build=${3:-$top/build}
helper=$build/sshd/dance-authorized-keys
account=dance-demo
akc_user=dance-akc-demo

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
die() { echo "demo-sshd: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (accounts, sshd)"
[ -f "$rig/rig.env" ] || die "no running rig in $rig"
[ -f "$fix/sshd/ed" ] || die "no sshd fixtures in $fix (41-sshd.sh)"
[ -x "$helper" ] || die "no helper at $helper (build first)"
# shellcheck disable=SC1091
. "$rig/rig.env"

# A directory sshd accepts for the command: root-owned, not group/world
# writable, all the way up; the helper's user must get through it.
chain_ok() {
	local d owner mode
	d=$(realpath "$1")
	while :; do
		read -r owner mode < <(stat -c '%u %a' "$d")
		[ "$owner" = 0 ] || return 1
		(( (8#$mode & 8#022) == 0 && (8#$mode & 8#001) != 0 )) || return 1
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}
if chain_ok "$build"; then base=$build; else base=/run; fi
run=$(mktemp -d "$base/dance-demo-sshd.XXXXXX")
chmod 755 "$run"
sshd_pid='' made_akc='' made_account=''
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null || true
		wait "$sshd_pid" 2>/dev/null || true
	fi
	[ -z "$made_account" ] || userdel "$account" 2>/dev/null || true
	[ -z "$made_akc" ] || userdel "$akc_user" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT

mkdir -m 755 "$run/libexec" "$run/etc" "$run/etc/files" "$run/authorized" "$run/logs"
install -m 755 "$helper" "$run/libexec/dance-authorized-keys"

# The helper's dance.conf: the rig's (resolver, trust anchors, allow-list),
# with the files it names copied in, plus the ssh settings. The helper
# refuses to run (exit 2) unless dance.conf and every file it names are
# root's and not writable by group or others, up to /: all of them live in
# $run, whose directories qualify (chain_ok above), with explicit modes.
n=0
while read -r kw val rest; do
	case $kw in
	trust-anchor-file | unbound-config | tls-ca-bundle)
		n=$((n + 1))
		install -m 644 "$val" "$run/etc/files/$n-$(basename "$val")"
		echo "$kw $run/etc/files/$n-$(basename "$val")"
		;;
	*) echo "$kw${val:+ $val}${rest:+ $rest}" ;;
	esac
done <"$RIG_CONF" >"$run/etc/dance.conf"
cat >>"$run/etc/dance.conf" <<EOF
ssh-authorized-dir $run/authorized
ssh-ca-domain ssh.test
EOF
chmod 644 "$run/etc/dance.conf"

if ! getent passwd "$akc_user" >/dev/null; then
	useradd --system -M -d /nonexistent -s /usr/sbin/nologin "$akc_user"
	made_akc=1
fi
if ! getent passwd "$account" >/dev/null; then
	useradd -M -d / -s /bin/sh -c "dance demo" "$account"
	made_account=1
fi
usermod -p '*' "$account" # unlocked for key logins (UsePAM no)
install -m 644 -o "$akc_user" /dev/null "$run/logs/akc.log"

echo "ed@ssh.test" >"$run/authorized/$account"
chmod 644 "$run/authorized/$account"

ssh-keygen -q -t ed25519 -N '' -f "$run/etc/host_key"
[ -d /run/sshd ] || mkdir -m 755 /run/sshd
cat >"$run/etc/sshd_config" <<EOF
ListenAddress 127.0.0.1
HostKey $run/etc/host_key
PidFile none
UsePAM no
StrictModes yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $account
PrintMotd no
LogLevel VERBOSE
AuthorizedKeysFile none
AuthorizedKeysCommand $run/libexec/dance-authorized-keys -c $run/etc/dance.conf -l $run/logs/akc.log %u %t %k
AuthorizedKeysCommandUser $akc_user
EOF

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	port_free "$port" || continue
	/usr/sbin/sshd -D -e -f "$run/etc/sshd_config" -p "$port" 2>"$run/logs/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 100); do
		! port_free "$port" && break
		kill -0 "$sshd_pid" 2>/dev/null || break
		sleep 0.05
	done
	! port_free "$port" && break
	wait "$sshd_pid" 2>/dev/null || true
	sshd_pid=
done
[ -n "$sshd_pid" ] || { cat "$run/logs/sshd.log" >&2; die "sshd did not start"; }

ssh_as() { # KEY COMMAND
	ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes \
		-o IdentityAgent=none -o LogLevel=ERROR -i "$1" -p "$port" \
		"$account@127.0.0.1" "$2"
}

say "The key is in DNS, DNSSEC-signed (dance lookup ed._user.ssh.test)"
"$build/cli/dance" -c "$run/etc/dance.conf" lookup ed._user.ssh.test || true
say "The host only says who may log in ($run/authorized/$account)"
cat "$run/authorized/$account"
say "sshd on 127.0.0.1:$port; ssh -i ed $account@127.0.0.1 whoami"
status=0
# shellcheck disable=SC2016 # expanded on the other side
if out=$(ssh_as "$fix/sshd/ed" 'echo "logged in as $(whoami) on $(hostname)"'); then
	echo "$out"
else
	echo "login FAILED"
	status=1
fi
say "A key that is not in DNS is refused"
if ssh_as "$fix/sshd/stranger" whoami 2>&1; then
	echo "stranger logged in: FAILED"
	status=1
else
	echo "(refused, as it should be)"
fi
say "What dance-authorized-keys decided (syslog; here also $run/logs/akc.log)"
sed 's/^[^ ]* //' "$run/logs/akc.log"
exit $status
