#!/usr/bin/env bash
# cppcheck.sh [FILE...]: cppcheck over every C file of the project, or the
# FILEs given, with the defines and include paths of the normal build's
# compile_commands.json (build/, configured if missing). Any finding fails;
# suppress one in place only with a reason, on the line before it:
#     // cppcheck-suppress ID ; why
. "$(dirname "$0")/../lib/gates.sh"

command -v cppcheck >/dev/null || gate_die "cppcheck not installed"
db=$(gate_compile_db build) || exit 2
mapfile -t files < <(gate_sources c -- "$@")
[ ${#files[@]} -gt 0 ] || gate_die "no C files found"

# Suppressed everywhere, and why:
# - missingIncludeSystem: cppcheck does not read system headers (its
#   --library configurations describe libc, POSIX and OpenSSL instead).
# - unmatchedSuppression: a suppression for one configuration is not an
#   error in another.
# - variableScope: conventions.md shapes functions the OpenSSH way, with
#   "r" and the locals declared at the top and a single exit through
#   "out:"; narrowing their scope is taste, not a defect.
# - readdirCalled: it recommends readdir_r, which glibc deprecates
#   (2.24); readdir is safe as long as a DIR stream is not shared between
#   threads (POSIX.1-2024 says so too).
opts=(--enable=warning,style,performance,portability --error-exitcode=1
      --inline-suppr --std=c11 --quiet -j "${GATE_JOBS:-2}"
      --library=posix --library=gnu --library=openssl
      --library="$top/scripts/lib/cppcheck-criterion.cfg"
      --suppress=missingIncludeSystem --suppress=unmatchedSuppression
      --suppress=variableScope --suppress=readdirCalled --template=gcc)

indb=() other=()
mapfile -t dbfiles < <(jq -r '.[].file' "$db" | sort -u)
for f in "${files[@]}"; do
	if printf '%s\n' "${dbfiles[@]}" | grep -qxF "$top/$f"; then
		indb+=("$f")
	else
		other+=("$f")
	fi
done

rc=0
if [ ${#indb[@]} -gt 0 ]; then
	filters=()
	if [ $# -gt 0 ]; then
		for f in "${indb[@]}"; do filters+=("--file-filter=$top/$f"); done
	fi
	cppcheck "${opts[@]}" --project="$db" "${filters[@]}" 2>&1 | sed "s|$top/||g"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
fi
if [ ${#other[@]} -gt 0 ]; then
	echo "cppcheck: not in compile_commands.json, checked with default flags: ${other[*]}"
	cppcheck "${opts[@]}" -D_GNU_SOURCE -Iinclude -Ilib "${other[@]}" 2>&1
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
fi
echo "cppcheck: $(cppcheck --version); ${#files[@]} files checked"
if [ $rc -ne 0 ]; then
	echo "cppcheck: FAILED: fix the findings above, or suppress one in place"
	echo "cppcheck: with '// cppcheck-suppress ID ; why' on the line before it"
	exit 1
fi
echo "cppcheck: ok"
