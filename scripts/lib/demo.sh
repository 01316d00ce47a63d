# demo.sh (library): helpers for scripts/demo.sh and scripts/demo.d/*.sh.
#   demo_start_rig DIR   fixtures in DIR/fixtures, rig in DIR/rig; sets
#                        FIX, RIG, CONF (the rig's dance.conf), DANCE
#                        (the dance command with -c CONF), BUILD
#   step TEXT            print a heading
#   expect CODE CMD...   run CMD, show its output, check its exit status
#   demo_cleanup_add CMD run CMD when the demo ends (LIFO)
#   demo_done            summary; exit status
BUILD=$top/build
DEMO_FAILED=0
DEMO_STEPS=0
DEMO_CLEANUP=()

demo_cleanup_add() { DEMO_CLEANUP+=("$*"); }

demo_cleanup() {
	local i
	for ((i = ${#DEMO_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${DEMO_CLEANUP[$i]}" || true
	done
	DEMO_CLEANUP=()
}
trap demo_cleanup EXIT
trap 'exit 130' INT TERM

demo_start_rig() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	FIX=$dir/fixtures
	RIG=$dir/rig
	echo "demo: generating keys, certificates and signed zones in $FIX"
	"$top/tests/rig/make-fixtures.sh" "$FIX" >"$dir/fixtures.log" 2>&1 ||
		{ tail -n 20 "$dir/fixtures.log"; exit 1; }
	"$BUILD/tests/rig/dance-rig" --run "$RIG" --fixtures "$FIX" \
		>"$dir/rig.log" 2>&1 &
	local pid=$!
	demo_cleanup_add "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	local i
	for i in $(seq 1 100); do
		[ -e "$RIG/rig.env" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$dir/rig.log"; exit 1; }
		sleep 0.05
	done
	[ -e "$RIG/rig.env" ] || { echo "demo: rig did not start"; exit 1; }
	CONF=$RIG/dance.conf
	DANCE="$BUILD/cli/dance -c $CONF"
	echo "demo: DNS rig up (nsd with signed zones under .test on 127.0.0.1; log $dir/rig.log)"
}

step() {
	DEMO_STEPS=$((DEMO_STEPS + 1))
	printf '\n== %s\n' "$*"
}

# expect CODE CMD...: CMD is word-split (so "$DANCE" may hold options).
expect() {
	local want=$1
	shift
	printf '$ %s\n' "$*" | sed "s|$top/||g"
	local rc
	set +e
	# shellcheck disable=SC2068
	$@ 2>&1 | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -eq "$want" ]; then
		echo "  -> exit $rc, as expected"
	else
		echo "  -> exit $rc, EXPECTED $want"
		DEMO_FAILED=$((DEMO_FAILED + 1))
	fi
}

demo_done() {
	echo
	if [ "$DEMO_FAILED" -eq 0 ]; then
		echo "demo: all $DEMO_STEPS steps behaved as expected"
	else
		echo "demo: $DEMO_FAILED of $DEMO_STEPS steps did NOT behave as expected"
	fi
	[ "$DEMO_FAILED" -eq 0 ]
}
