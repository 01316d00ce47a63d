#!/usr/bin/env bash
# install-deps.sh: install every Debian 12 package that dance's build, tests,
# quality gates and demo need. Idempotent and non-interactive. Services that
# Debian packages start in their postinst (slapd, nsd, sshd, ...) are kept
# from starting, and stopped if they started anyway: dance's tests and demo
# start their own instances on loopback.
set -euo pipefail

PACKAGES=(
  # build
  cmake make pkgconf gcc clang lld git ca-certificates
  libssl-dev openssl libunbound-dev libevent-dev libidn2-dev libunistring-dev
  nettle-dev libgmp-dev
  libsasl2-dev libldap-dev libgnutls28-dev libcriterion-dev
  # quality gates
  clang-tidy clang-format cppcheck valgrind libclang-rt-14-dev libfuzzer-14-dev
  python3 jq binutils
  # DNS rig
  nsd ldnsutils bind9-dnsutils dns-root-data
  # slapd, sshd, SASL, IMAP client
  slapd ldap-utils openssh-server openssh-client
  libsasl2-modules sasl2-bin cyrus-clients
  # tools used by scripts and benchmarks
  procps iproute2 hyperfine man-db
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"

# Keep postinst scripts from starting services: a policy-rc.d that refuses
# every action, removed again afterwards if we put it there.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
# An 'apt-get update' older than a day, or none, is refreshed once.
stamp=/var/lib/apt/periodic/update-success-stamp
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)
if [ -z "$lists" ]; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

# Belt and braces: stop distribution services if something started them.
for svc in slapd nsd ssh unbound knot saslauthd; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
for exe in /usr/sbin/slapd /usr/sbin/nsd /usr/sbin/unbound /usr/sbin/knotd /usr/sbin/saslauthd; do
  for pid in $(pgrep -x -f "^$exe( .*)?$" 2>/dev/null || true); do
    # only daemons started by the package (parent is init), never ours
    if [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ]; then $SUDO kill "$pid" || true; fi
  done
done
echo "install-deps: done"
