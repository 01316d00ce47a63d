# shellcheck shell=bash
# shellcheck disable=SC2154 # top, RIG, FIX, BUILD: set by scripts/demo.sh
# 40-sshd.sh (demo part, sourced by scripts/demo.sh): an ssh login with a key
# that only DNS knows. scripts/demo-sshd.sh starts Debian's sshd on a free
# loopback port with dance-authorized-keys as its AuthorizedKeysCommand,
# logs in as a user listed as ed@ssh.test, shows that a key not in DNS is
# refused, and removes everything it created.
step "ssh login with a key published in DNS (expect: logged in, a key not in DNS refused, exit 0)"
expect 0 bash "$top/scripts/demo-sshd.sh" "$RIG" "$FIX" "$BUILD"
