# stages.sh: run named stages, time them, count passes and failures.
# Sourced by scripts/test.sh.
#   stage_run NAME gate CMD...    one check: passes if CMD exits 0
#   stage_run NAME ctest BUILDDIR ctest in BUILDDIR; every test counts
#   stage_summary                 timing table and "N passed, N failed"
STAGE_PASSED=0
STAGE_FAILED=0
STAGE_TABLE=()
STAGE_LOGDIR=${STAGE_LOGDIR:-$top/test-logs}
mkdir -p "$STAGE_LOGDIR"

stage_run() {
	local name=$1 kind=$2
	shift 2
	local t0 t1 rc log
	log="$STAGE_LOGDIR/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_').log"
	t0=$(date +%s.%N)
	echo "=== $name"
	if [ "$kind" = ctest ]; then
		local dir=$1
		(cd "$dir" && ctest --output-on-failure -j2 --timeout 1200) 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		local line total failed
		line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
		if [ -n "$line" ]; then
			failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
			total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
			STAGE_PASSED=$((STAGE_PASSED + total - failed))
			STAGE_FAILED=$((STAGE_FAILED + failed))
		else
			STAGE_FAILED=$((STAGE_FAILED + 1))
			rc=1
		fi
	else
		"$@" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 0 ]; then
			STAGE_PASSED=$((STAGE_PASSED + 1))
		else
			STAGE_FAILED=$((STAGE_FAILED + 1))
		fi
	fi
	t1=$(date +%s.%N)
	local secs
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	local verdict=ok
	[ "$rc" -eq 0 ] || verdict=FAILED
	STAGE_TABLE+=("$(printf '%-32s %8ss  %s' "$name" "$secs" "$verdict")")
	echo "=== $name: $verdict in ${secs}s (log: $log)"
	return "$rc"
}

stage_summary() {
	echo
	echo "Stage                             time      result"
	local row
	for row in "${STAGE_TABLE[@]}"; do echo "$row"; done
	echo
	echo "$STAGE_PASSED passed, $STAGE_FAILED failed"
	[ "$STAGE_FAILED" -eq 0 ]
	exit $?
}
