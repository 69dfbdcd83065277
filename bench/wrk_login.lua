-- wrk: POST /api/v1/auth/login with the demo account (BENCH_LOGIN_USERNAME / BENCH_PASSWORD).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/wrk_report.lua")
-- An account with no second factor: the password step is what this measures.
local user = os.getenv("BENCH_LOGIN_USERNAME") or "gov_clerk"
local pass = os.getenv("BENCH_PASSWORD") or "Demo@2026"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username": "%s", "password": "%s"}', user, pass)
done = wrk_json_done
