#!/usr/bin/env bash
# valgrind.sh [TEST...]: the tests that start no servers (ctest labels
# "unit" and "fuzz": tests/unit_*.c and the fuzz regression runs) under
# valgrind memcheck, in the normal build (build/, built if needed). Fails
# on any memcheck error (invalid read/write, use of uninitialised values,
# bad free, ...) or definite leak, in the test runner or in any of the
# worker processes Criterion starts for each test. TEST names select ctest
# tests (default: all with those labels).
#
# Criterion runs each test in a re-executed copy of the test binary and
# ignores the exit status of a worker once its test has ended, so valgrind
# follows children (--trace-children) and this script reads every
# process's log instead of trusting exit statuses alone.
#
# Tests see DANCE_VALGRIND=1 and may use it to run fewer iterations of an
# expensive loop (valgrind is 20-50 times slower), never to skip a check.
# Tests labelled "timing" (a "ctest-labels: timing" line in the test file:
# assertions on wall-clock deadlines) are skipped, and listed.
. "$(dirname "$0")/../lib/gates.sh"

command -v valgrind >/dev/null || gate_die "valgrind not installed"
build=$top/build
labels=${VALGRIND_LABELS:-'^(unit|fuzz)$'}
skip_labels=${VALGRIND_SKIP_LABELS:-'^timing$'}

[ -f "$build/CMakeCache.txt" ] ||
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
	gate_die "cmake could not configure $build"
cmake --build "$build" -j "${GATE_JOBS:-2}" >"$build/valgrind-build.log" 2>&1 || {
	cat "$build/valgrind-build.log"
	gate_die "build failed"
}

# Fixtures (certificates, keys) that the tests may read.
if [ ! -e "$build/fixtures/.generated" ]; then
	(cd "$build" && ctest -L '^fixtures$' --output-on-failure >/dev/null) ||
		gate_die "fixtures could not be generated: ctest -L fixtures in $build"
fi

tests_json=$(cd "$build" && ctest -L "$labels" --show-only=json-v1) ||
	gate_die "ctest could not list the tests"
if [ $# -gt 0 ]; then
	want=$(printf '%s\n' "$@" | jq -R . | jq -s .)
else
	want=null
fi
# ctest also lists the fixture setup tests these require: keep only the
# tests that carry one of the labels themselves.
select_tests() { # select_tests SKIP(true/false): names, labels filtered
	echo "$tests_json" | jq -r --argjson want "$want" --arg re "$labels" \
		--arg skip "$skip_labels" --argjson skipped "$1" '
	.tests[]
	| ([.properties[]? | select(.name == "LABELS") | .value[]]) as $l
	| select([$l[] | test($re)] | any)
	| select(([$l[] | test($skip)] | any) == $skipped)
	| select($want == null or (.name as $n | $want | index($n)))
	| .name'
}
mapfile -t names < <(select_tests false)
mapfile -t skipped < <(select_tests true)
[ ${#names[@]} -gt 0 ] || gate_die "no tests with labels $labels${*:+ named $*} (skipped: ${skipped[*]:-none})"

logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
supp=()
for s in "$top"/tests/valgrind/*.supp; do
	[ -e "$s" ] && supp+=("--suppressions=$s")
done

failed=()
for name in "${names[@]}"; do
	t=$(echo "$tests_json" | jq -c --arg n "$name" '.tests[] | select(.name == $n)')
	mapfile -t cmd < <(echo "$t" | jq -r '.command[]')
	mapfile -t env < <(echo "$t" | jq -r '.properties[]? | select(.name == "ENVIRONMENT") | .value[]')
	wd=$(echo "$t" | jq -r '(.properties[]? | select(.name == "WORKING_DIRECTORY") | .value) // empty')
	t0=$(date +%s)
	(
		cd "${wd:-$build}" &&
			env "${env[@]}" DANCE_VALGRIND=1 valgrind --tool=memcheck --trace-children=yes \
				--trace-children-skip='/usr/*,/bin/*,/sbin/*' \
				--leak-check=full --show-leak-kinds=definite \
				--errors-for-leak-kinds=definite --error-exitcode=99 \
				--num-callers=30 "${supp[@]}" \
				--log-file="$logs/$name.%p.log" "${cmd[@]}"
	) >"$logs/$name.out" 2>&1
	rc=$?
	bad=$(grep -lE 'ERROR SUMMARY: [1-9]' "$logs/$name".*.log 2>/dev/null)
	if [ $rc -ne 0 ] || [ -n "$bad" ]; then
		failed+=("$name")
		echo "valgrind: $name: FAILED (exit $rc) in $(($(date +%s) - t0))s"
		echo "---- test output"
		cat "$logs/$name.out"
		for l in $bad; do
			echo "---- $l"
			# The errors, without valgrind's banner.
			sed -n '/^==[0-9]*== \(Invalid\|Conditional\|Use of\|Syscall\|Mismatched\|Source and\|Argument\|[0-9,]* bytes in\|Process terminating\)/,/^==[0-9]*== $/p' "$l"
			grep -h 'ERROR SUMMARY' "$l"
		done
	else
		echo "valgrind: $name: ok in $(($(date +%s) - t0))s"
	fi
done

echo "valgrind: $(valgrind --version); ${#names[@]} tests; logs in ${logs#"$top"/}"
if [ ${#skipped[@]} -gt 0 ]; then
	echo "valgrind: skipped (labels $skip_labels): ${skipped[*]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "valgrind: FAILED: ${failed[*]}"
	echo "valgrind: a known false positive in a system library goes in tests/valgrind/*.supp with a comment"
	exit 1
fi
echo "valgrind: ok"
