#!/usr/bin/env bash
# Instructions per request under callgrind: floor, /healthz, GET by id, externalId filter, POST,
# with the targets /healthz <= 1.3x the floor and GET by id <= 2x /healthz. See bench/README.md.
# Needs valgrind (Debian: apt-get install valgrind) and a build with emuscim and emuscim-floor:
#   cmake --build build --target emuscim emuscim-floor && bench/callgrind.sh [--json FILE] [--help]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in valgrind callgrind_control; do
  if ! command -v "$tool" >/dev/null; then
    echo "callgrind.sh: $tool is missing; install it with: apt-get install valgrind" >&2
    exit 2
  fi
done
exec /usr/bin/python3 "$here/callgrind.py" "$@"
