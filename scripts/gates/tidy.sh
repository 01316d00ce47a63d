#!/usr/bin/env bash
# tidy.sh [FILE...]: clang-tidy (checks in .clang-tidy) over every C file of
# the project, or the FILEs given, with the flags of the normal build's
# compile_commands.json (build/, configured if missing). Project headers
# are checked through the files that include them. Every finding fails the
# gate; suppress one in place only with a reason:
#     code;  // NOLINT(check-name): why
# GATE_JOBS (default 2) files are checked in parallel.
. "$(dirname "$0")/../lib/gates.sh"

tidy=$(command -v clang-tidy-14 || command -v clang-tidy) ||
	gate_die "clang-tidy not installed"
db=$(gate_compile_db build) || exit 2
mapfile -t files < <(gate_sources c -- "$@")
[ ${#files[@]} -gt 0 ] || gate_die "no C files found"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jq -r '.[].file' "$db" | sort -u >"$work/indb"

# Diagnostics in headers are shown for the project's own headers only.
export TIDY=$tidy TOP=$top WORK=$work DBDIR=$(dirname "$db")
export HFILTER="^$top/(include|lib|cli|sasl|sshd|tests|bench|fuzz|examples|cmake)/"
# Flags for a file that no CMake target compiles (reported as a note).
export FALLBACK="-std=c11 -D_GNU_SOURCE -I$top/include -I$top/lib $(pkg-config --cflags criterion openssl libunbound 2>/dev/null)"

check_one() {
	local f=$1 log args
	log=$WORK/$(echo "$f" | tr '/' '_').log
	args=(--quiet "--header-filter=$HFILTER" --extra-arg=-Wno-unknown-warning-option)
	if grep -qxF "$TOP/$f" "$WORK/indb"; then
		"$TIDY" "${args[@]}" -p "$DBDIR" "$TOP/$f" >"$log" 2>&1
	else
		echo "note: $f is not in compile_commands.json; checked with default flags" >"$log.note"
		# shellcheck disable=SC2086
		"$TIDY" "${args[@]}" "$TOP/$f" -- $FALLBACK -I"$(dirname "$TOP/$f")" >"$log" 2>&1
	fi
	local rc=$?
	# One invocation per file: clang-tidy 14 carries analyser state from
	# one file to the next within a run.
	if [ $rc -ne 0 ] || grep -qE '(warning|error):' "$log"; then
		echo "$f" >>"$WORK/failed"
	fi
	return 0
}
export -f check_one

printf '%s\n' "${files[@]}" | xargs -P "${GATE_JOBS:-2}" -I{} bash -c 'check_one "$1"' _ {}

cat "$work"/*.note 2>/dev/null
echo "tidy: $("$tidy" --version | grep -m1 -o 'version [0-9.]*'); ${#files[@]} files checked"
if [ ! -s "$work/failed" ]; then
	echo "tidy: ok"
	exit 0
fi
mapfile -t failed < <(sort -u "$work/failed")
for f in "${failed[@]}"; do
	echo "---- $f"
	grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
		"$work/$(echo "$f" | tr '/' '_').log"
done
echo "tidy: FAILED: findings (each line 'FILE:LINE:COL: error: ... [check]'):"
cat "$work"/*.log | grep -E '^/.*: (warning|error): ' | sed "s|^$top/||" | sort -u
echo "tidy: fix them, or suppress one in place with '// NOLINT(check): why'"
exit 1
