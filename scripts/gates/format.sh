#!/usr/bin/env bash
# format.sh [FILE...]: every C file (.c, .h) of the project is formatted as
# .clang-format says. Fails listing the files that differ and the first
# lines of each diff; fix with: clang-format -i FILE...
. "$(dirname "$0")/../lib/gates.sh"

command -v clang-format >/dev/null || gate_die "clang-format not installed"
mapfile -t files < <(gate_sources c h -- "$@")
[ ${#files[@]} -gt 0 ] || gate_die "no C files found"

bad=()
for f in "${files[@]}"; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		bad+=("$f")
	fi
done

echo "format: $(clang-format --version | head -n 1); ${#files[@]} files checked"
if [ ${#bad[@]} -eq 0 ]; then
	echo "format: ok"
	exit 0
fi
for f in "${bad[@]}"; do
	echo "format: $f is not formatted:"
	clang-format "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" - | head -n 40
done
echo "format: FAILED: ${#bad[@]} file(s) differ from .clang-format:"
printf '  %s\n' "${bad[@]}"
echo "format: fix with: clang-format -i ${bad[*]}"
exit 1
