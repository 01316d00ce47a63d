#!/usr/bin/env bash
# demo.sh: the README's demo command. Installs what is missing, builds dance
# and runs the demonstration on loopback.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/install-deps.sh
scripts/build.sh build >/dev/null
echo "demo: built; the demo scenario is not written yet"
