#!/usr/bin/env bash
# fuzz.sh [NAME...]: build every libFuzzer target (fuzz/fuzz_<name>.c) with
# clang in build-fuzz/ and run each for a short smoke time on its seed
# corpus (fuzz/corpus/<name>/ plus fuzz/regressions/<name>/, copied to a
# scratch directory so the checked-in corpus stays as it is). Fails on any
# crash, sanitizer report, leak, timeout or out-of-memory; the input that
# caused it is saved in fuzz/crashes/<name>/ (not tracked by git).
#
#   FUZZ_TIME  seconds per target (default 30)
#   FUZZ_JOBS  targets run at once (default 2; each uses one core)
# NAMEs (e.g. "names" or "fuzz_names") select targets; default: all.
# A long campaign: see fuzz/README.md.
. "$(dirname "$0")/../lib/gates.sh"

secs=${FUZZ_TIME:-30}
jobs=${FUZZ_JOBS:-2}
build=$top/build-fuzz
command -v clang >/dev/null || gate_die "clang not installed"

if [ $# -gt 0 ]; then
	names=()
	for n in "$@"; do names+=("${n#fuzz_}"); done
else
	mapfile -t names < <(for f in fuzz/fuzz_*.c; do
		[ -e "$f" ] && basename "$f" .c | sed 's/^fuzz_//'
	done)
fi
[ ${#names[@]} -gt 0 ] || gate_die "no fuzz targets (fuzz/fuzz_*.c)"
missing=()
for n in "${names[@]}"; do
	[ -f "fuzz/fuzz_$n.c" ] || gate_die "no such target: fuzz/fuzz_$n.c"
	[ -n "$(ls -A "fuzz/corpus/$n" 2>/dev/null)" ] || missing+=("fuzz/corpus/$n/")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "fuzz: FAILED: every target needs a seed corpus; missing or empty: ${missing[*]}"
	exit 1
fi

echo "fuzz: building ${#names[@]} targets in ${build#"$top"/}"
log=$(mktemp)
if ! { CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DDANCE_FUZZ=ON -DBUILD_TESTING=OFF -DDANCE_BUILD_BENCH=OFF &&
	cmake --build "$build" --target fuzz -j "${GATE_JOBS:-2}"; } >"$log" 2>&1; then
	cat "$log"
	rm -f "$log"
	echo "fuzz: FAILED: the fuzz targets do not build with clang"
	exit 1
fi
rm -f "$log"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Run one target; writes $work/NAME.log and, on failure, $work/NAME.failed.
run_one() {
	local n=$1 bin=$build/fuzz/fuzz_$1 corpus=$work/$1.corpus
	local crashes=$top/fuzz/crashes/$1 dict=$top/fuzz/$1.dict extra=()
	mkdir -p "$corpus" "$crashes"
	cp -r "$top/fuzz/corpus/$n/." "$corpus/"
	[ -d "$top/fuzz/regressions/$n" ] && cp -r "$top/fuzz/regressions/$n/." "$corpus/"
	[ -f "$dict" ] && extra+=("-dict=$dict")
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "${extra[@]}" \
		"$corpus" >"$work/$n.log" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || echo "$rc" >"$work/$n.failed"
}

t0=$(date +%s)
running=0
for n in "${names[@]}"; do
	run_one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=()
for n in "${names[@]}"; do
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$n.log" | grep -o '[0-9]*$')
	if [ -e "$work/$n.failed" ]; then
		failed+=("$n")
		echo "fuzz: $n: FAILED (exit $(cat "$work/$n.failed"))"
		# The report: from the first sanitizer/libFuzzer error line on.
		sed -n '/^==[0-9]*==\(ERROR\| *ERROR\)\|^[^ ]*: runtime error\|^==[0-9]*== ERROR: libFuzzer\|deadly signal\|^ALARM\|out-of-memory/,$p' \
			"$work/$n.log" | grep -v '^#[0-9]' |
			sed '/^Shadow bytes around/,/Right alloca redzone/d' | head -n 60
		art=$(grep -o "Test unit written to [^ ]*" "$work/$n.log" | sed 's/Test unit written to //' | tail -n 1)
		if [ -n "$art" ]; then
			rel=${art#"$top"/}
			cat <<-MSG
			fuzz: $n: the input is saved in $rel
			fuzz:   reproduce: ${build#"$top"/}/fuzz/fuzz_$n $rel
			fuzz:   minimise:  ${build#"$top"/}/fuzz/fuzz_$n -minimize_crash=1 -max_total_time=60 $rel
			fuzz:   keep it:   cp $rel fuzz/regressions/$n/<what-it-found>
			fuzz:   then the ctest test fuzz_$n replays it and fails until the bug is
			fuzz:   fixed; it seeds every later fuzz run (fuzz/README.md)
			MSG
		fi
	else
		echo "fuzz: $n: ok, ${runs:-?} inputs in ${secs}s"
	fi
done
echo "fuzz: ${#names[@]} targets, ${secs}s each, $jobs at a time, $(($(date +%s) - t0))s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: ok"
