#!/usr/bin/env bash
# `make bench`: load-test the API on loopback. Uses a running API (make run) if one answers at
# BASE_URL; otherwise starts one for the run and stops it after. Scenarios and sizes come from
# the environment, as for bench/run.sh (SCENARIOS, USERS, DURATION, TOOLS, RESULTS).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export BASE_URL="${BASE_URL:-http://127.0.0.1:${API_PORT:-8000}}"
api=""
if ! curl -fsS -m 2 "$BASE_URL/healthz" >/dev/null 2>&1; then
    port=$(python3 -c "import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 80)" "$BASE_URL")
    mkdir -p var/log
    echo "bench: starting the API on $BASE_URL for this run (log: var/log/api-bench.log)" >&2
    API_PORT="$port" API_WORKERS="${API_WORKERS:-2}" .venv/bin/python -m app.main >var/log/api-bench.log 2>&1 &
    api=$!
    trap '[[ -n "$api" ]] && kill "$api" 2>/dev/null; wait "$api" 2>/dev/null' EXIT
    for _ in $(seq 1 120); do
        curl -fsS -m 2 "$BASE_URL/healthz" >/dev/null 2>&1 && break
        kill -0 "$api" 2>/dev/null || { echo "bench: the API did not start; see var/log/api-bench.log" >&2; exit 1; }
        sleep 0.5
    done
fi
bash bench/run.sh
