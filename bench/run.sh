#!/usr/bin/env bash
# Load-test a running ARH API on loopback and print a markdown table.
#
#   bench/run.sh                      # locust and wrk, 100 and 500 users, 30 s each
#   BASE_URL=http://127.0.0.1:8000 USERS="100 500" DURATION=30 TOOLS="locust wrk" bench/run.sh
#
# The API must already run (make run); this script starts nothing. Every run
# is bounded: locust stops after DURATION seconds (MeUser: DURATION seconds
# after all its users have logged in, at most RAMP_MAX seconds of ramp), wrk
# after DURATION seconds, and each is wrapped in `timeout`. Only loopback
# targets are accepted.
#
# Output: bench/results/{locust_*,wrk_*,meta.json,SUMMARY.md}; the table is
# also printed. Scenarios: login (POST /api/v1/auth/login) and me
# (GET /api/v1/auth/me with a bearer token), each measured alone; `todo`
# (GET /api/v1/todo, wrk only) needs cases: PYTHONPATH=. .venv/bin/python bench/seed_cases.py 100000;
# `unit_table` and `unit_list` (wrk only) need stock: PYTHONPATH=. .venv/bin/python bench/seed_housing.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
RESULTS="${RESULTS:-$BENCH/results}"
BASE_URL="${BASE_URL:-http://127.0.0.1:8000}"
USERS="${USERS:-100 500}"
DURATION="${DURATION:-30}"
RAMP_MAX="${RAMP_MAX:-150}"
TOOLS="${TOOLS:-locust wrk}"
SCENARIOS="${SCENARIOS:-login me}"
PAUSE="${PAUSE:-5}"   # seconds between runs, for the API to drain
export BENCH_USERNAME="${BENCH_USERNAME:-gov_admin}"
export BENCH_LOGIN_USERNAME="${BENCH_LOGIN_USERNAME:-gov_clerk}"  # the login scenario: no second factor
export BENCH_PASSWORD="${BENCH_PASSWORD:-Demo@2026}"

die() { echo "bench: $*" >&2; exit 1; }

host=$(python3 -c "import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname or '')" "$BASE_URL")
case "$host" in
127.* | localhost | ::1) ;;
*) die "BASE_URL must point at this machine's loopback (127.0.0.0/8, localhost, ::1), not '$host'" ;;
esac

curl -fsS -m 5 "$BASE_URL/healthz" >/dev/null ||
    die "the API does not answer at $BASE_URL/healthz; start it first (make run)"

LOCUST="${LOCUST:-}"
if [[ -z "$LOCUST" ]]; then
    if [[ -x "$ROOT/.venv/bin/locust" ]]; then LOCUST="$ROOT/.venv/bin/locust"; else LOCUST=$(command -v locust || true); fi
fi

tools=()
for t in $TOOLS; do
    case "$t" in
    locust) [[ -n "$LOCUST" ]] && tools+=(locust) || echo "bench: locust not found (uv sync installs it with the dev group); skipping" >&2 ;;
    wrk) command -v wrk >/dev/null && tools+=(wrk) || echo "bench: wrk not found (apt-get install wrk); skipping" >&2 ;;
    *) die "unknown tool '$t' (locust, wrk)" ;;
    esac
done
((${#tools[@]})) || die "no load tool available"

mkdir -p "$RESULTS"
rm -f "$RESULTS"/locust_* "$RESULTS"/wrk_* "$RESULTS"/meta.json "$RESULTS"/SUMMARY.md

# wrk and locust each hold one socket per connection
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

login_token() {
    # Both steps: an admin's second factor is the SMS code the sandbox received (docs/identity.md).
    python3 - "$BASE_URL" "$BENCH_USERNAME" "$BENCH_PASSWORD" "${SANDBOX_URL:-http://127.0.0.1:8100}" <<'PY'
import json, sys, time, urllib.request
base, user, pw, sandbox = sys.argv[1:5]
def post(path, body):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
r = post("/api/v1/auth/login", {"username": user, "password": pw})
if "token" not in r:
    code = None
    for _ in range(50):
        with urllib.request.urlopen(sandbox + "/sandbox/sms/messages?limit=200", timeout=10) as m:
            code = next((x["params"]["code"] for x in json.load(m)["items"]
                         if x["template"] == "login_code" and x["params"].get("ref") == r["ref"]), None)
        if code:
            break
        time.sleep(0.1)
    r = post("/api/v1/auth/login/verify", {"challenge_token": r["challenge_token"], "code": code})
print(r["token"])
PY
}
login_token >/dev/null || die "cannot log in as $BENCH_USERNAME at $BASE_URL (seeded demo data?)"

bench_building_id() {
    psql "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/arh}" -tAc \
        "SELECT b.id FROM building b JOIN community c ON c.id = b.community_id WHERE c.name = '基准小区0001' AND b.name = '1栋'"
}

run_locust() {
    local scenario=$1 n=$2 class limit
    case "$scenario" in
    login) class=LoginUser limit=$DURATION ;;
    me) class=MeUser limit=$((DURATION + RAMP_MAX)) ;;
    # 1-3 s of think time between clicks: todo, unit list, unit table (needs both bench seeds)
    clerk) class=ClerkUser limit=$((DURATION + RAMP_MAX)) ;;
    *) echo "bench: locust has no $scenario scenario; wrk measures it" >&2; return ;;
    esac
    echo "bench: locust $class, $n users, ${DURATION}s" >&2
    BENCH_DURATION="$DURATION" BENCH_BUILDING_ID="$(bench_building_id 2>/dev/null || true)" timeout --kill-after=10 "$((limit + 60))" \
        "$LOCUST" -f "$BENCH/locustfile.py" --headless --only-summary \
        --host "$BASE_URL" -u "$n" -r "$n" -t "${limit}s" --stop-timeout 5 \
        --exit-code-on-error 0 --loglevel WARNING \
        --csv "$RESULTS/locust_${scenario}_u${n}" "$class" \
        >"$RESULTS/locust_${scenario}_u${n}.log" 2>&1 ||
        echo "bench: locust $class $n exited with $? (see $RESULTS/locust_${scenario}_u${n}.log)" >&2
}

run_wrk() {
    # One wrk thread drives thousands of requests a second; the second core is left to the API.
    local scenario=$1 n=$2 script path threads=1
    case "$scenario" in
    login) script=wrk_login.lua path=/api/v1/auth/login ;;
    me) script=wrk_me.lua path=/api/v1/auth/me ;;
    # The todo list of a city-level reviewer: every district's unclaimed items are candidates.
    todo) script=wrk_me.lua path="/api/v1/todo?page=1&page_size=20" ;;
    # The 楼盘表 of the 33-floor × 12-unit bench building, and the unit list with three filters
    # (bench/seed_housing.py; the building id is looked up by name).
    unit_table) script=wrk_me.lua path="/api/v1/housing/buildings/$(bench_building_id)/table" ;;
    unit_list) script=wrk_me.lua path="/api/v1/housing/units?district_code=440703&state=available&layout=%E4%B8%A4%E6%88%BF%E4%B8%80%E5%8E%85&page_size=20" ;;
    esac
    ((n < threads)) && threads=$n
    echo "bench: wrk $scenario, $n connections, ${DURATION}s" >&2
    BENCH_TOKEN=$(login_token) BENCH_DIR="$BENCH" timeout --kill-after=10 "$((DURATION + 60))" \
        wrk -t "$threads" -c "$n" -d "${DURATION}s" --timeout 30s --latency \
        -s "$BENCH/$script" "$BASE_URL$path" \
        >"$RESULTS/wrk_${scenario}_c${n}.txt" 2>&1 ||
        echo "bench: wrk $scenario $n exited with $?" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
first=1
for tool in "${tools[@]}"; do
    for scenario in $SCENARIOS; do
        for n in $USERS; do
            ((first)) || sleep "$PAUSE"
            first=0
            "run_$tool" "$scenario" "$n"
        done
    done
done

python3 - "$RESULTS/meta.json" "$ROOT" "$BASE_URL" "$DURATION" "${tools[*]}" "$LOCUST" "$LOAD_BEFORE" <<'EOF'
import datetime, json, os, subprocess, sys
path, root, target, duration, tools, locust, load_before = sys.argv[1:8]
def first_line(*cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
    except Exception:
        return "?"
meta = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": first_line("git", "-C", root, "rev-parse", "--short", "HEAD"),
    "cpus": os.cpu_count(),
    "load average before": load_before,
    "target": target,
    "duration": f"{duration} s per run",
    "locust": " ".join(first_line(locust, "--version").split()[:2]) if "locust" in tools else "-",
    "wrk": " ".join(first_line("wrk", "--version").split()[:2]) if "wrk" in tools else "-",
}
json.dump(meta, open(path, "w"), indent=1, ensure_ascii=False)
EOF

python3 "$BENCH/report.py" "$RESULTS" | tee "$RESULTS/SUMMARY.md"
