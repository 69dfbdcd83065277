-- wrk: POST /api/v1/auth/login with the demo account (BENCH_USERNAME / BENCH_PASSWORD).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/wrk_report.lua")
local user = os.getenv("BENCH_USERNAME") or "gov_admin"
local pass = os.getenv("BENCH_PASSWORD") or "Demo@2026"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username": "%s", "password": "%s"}', user, pass)
done = wrk_json_done
