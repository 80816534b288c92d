#!/usr/bin/env bash
# Build the HTML book (creating the environment first if it is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
jupyter-book build book/ --all -W -n --keep-going
echo
echo "The HTML book is at: $ROOT/_build/html/index.html"
