# gates.sh: helpers shared by the quality gates in scripts/gates/*.sh.
# Sourced; sets $top (the source tree) and cds there.
#   gate_sources EXT... [-- FILE...]  project files with these extensions
#                                    (the FILEs given, else the whole tree)
#   gate_compile_db DIR              configure DIR if needed; prints the
#                                    path of its compile_commands.json
#   gate_die MSG                     print "GATE-NAME: MSG" and exit 2
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
GATE=${GATE:-$(basename "$0" .sh)}

gate_die() {
	echo "$GATE: $*" >&2
	exit 2
}

# Every C source or header of the project: tracked files and new files not
# yet committed (but not ignored ones: build trees, crashes). Data under
# fuzz/corpus and fuzz/regressions is not code.
gate_tree_files() {
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$top" ls-files -co --exclude-standard
	else
		find . -type f ! -path './build*' ! -path './.git/*' | sed 's|^\./||'
	fi | grep -Ev '^(fuzz/(corpus|regressions|crashes)/|build[^/]*/|test-logs/)' |
		while IFS= read -r f; do [ -f "$f" ] && echo "$f"; done
}

gate_sources() {
	local exts=() f e
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		exts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	for f in "$@"; do
		[ -f "$f" ] || gate_die "no such file: $f"
	done
	{
		if [ $# -gt 0 ]; then
			for f in "$@"; do
				echo "${f#"$top"/}"
			done
		else
			gate_tree_files
		fi
	} | while IFS= read -r f; do
		for e in "${exts[@]}"; do
			case $f in *."$e") echo "$f" ;; esac
		done
	done | sort -u
}

# The normal build's compilation database. Configuring again refreshes the
# file globs, so files added since the last build are in it.
gate_compile_db() {
	local dir=$top/${1:-build} log
	log=$(mktemp)
	if [ -f "$dir/CMakeCache.txt" ]; then
		cmake "$dir" >"$log" 2>&1
	else
		cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1
	fi || {
		cat "$log" >&2
		rm -f "$log"
		gate_die "cmake could not configure $dir"
	}
	rm -f "$log"
	[ -f "$dir/compile_commands.json" ] ||
		gate_die "$dir/compile_commands.json missing"
	echo "$dir/compile_commands.json"
}
