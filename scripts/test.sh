#!/usr/bin/env bash
# test.sh: the README's test command. Installs what is missing, builds dance
# and runs every stage of the test suite: the Criterion suite in a normal
# build and again under ASan+UBSan, then the quality gates. Prints how long
# each stage took and ends with one line "N passed, N failed" (tests and
# gates together); exits non-zero if anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/lib/stages.sh

stage_run "install dependencies" gate bash scripts/install-deps.sh || {
	stage_summary
	exit 1
}

# Normal build and suite.
stage_run "build (normal)" gate scripts/build.sh build
stage_run "tests (normal)" ctest build

# The same suite with AddressSanitizer and UndefinedBehaviorSanitizer. The
# options (leaks are errors, every report aborts) are built into the
# executables (cmake/sanitizer_options.c); settings inherited from the
# caller's environment must not weaken them.
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
stage_run "build (asan+ubsan)" gate scripts/build.sh build-asan -DDANCE_SANITIZE=ON
stage_run "tests (asan+ubsan)" ctest build-asan

# Quality gates (docs/quality-gates.md): format, clang-tidy, cppcheck,
# valgrind, fuzz smoke; each its own stage.
for gate in scripts/gates/*.sh; do
	[ -e "$gate" ] || continue
	stage_run "gate $(basename "$gate" .sh)" gate bash "$gate"
done

stage_summary
