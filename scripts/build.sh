#!/usr/bin/env bash
# build.sh BUILDDIR [CMAKE-OPTIONS...]: configure and build dance out of tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$top/$dir" -j "$(nproc)"
