# 60-imap.sh (demo part, sourced by scripts/demo.sh): IMAP AUTHENTICATE
# EXTERNAL by a DANE user, through libdance_external.so in the example IMAP
# server (scripts/demo-imap.sh has the steps).
# shellcheck shell=bash disable=SC2154

step "IMAP: alice@good.test logs in with her certificate and AUTHENTICATE EXTERNAL (Cyrus imtest, then dance-tls-client with a dane_clientid ClientName); alice of bogus.test is refused (expect: exit 0)"
expect 0 bash "$top/scripts/demo-imap.sh" "$RIG" "$FIX" "$BUILD"
