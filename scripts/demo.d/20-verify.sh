# 20-verify.sh (demo part, sourced by scripts/demo.sh): dance verify.
# shellcheck shell=bash disable=SC2086

step "alice@good.test presents her certificate; good.test publishes its user CA at _user.good.test (expect: her identity, exit 0)"
expect 0 $DANCE verify "$FIX/pki/alice.chain.pem"

step "An IDN domain, bücher.good.test (expect: the identity in U-labels, exit 0)"
expect 0 $DANCE verify "$FIX/pki/alice-idn.chain.pem"

step "mallory's certificate claims good.test but was issued by other.test's CA (expect: refused by the namespace constraint, exit 1)"
expect 1 $DANCE verify "$FIX/pki/v-crossrig.chain.pem"
