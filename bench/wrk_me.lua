-- wrk: GET /api/v1/auth/me with the bearer token in BENCH_TOKEN (bench/run.sh logs in first).
-- No response() hook on purpose: it would make wrk hand every body to Lua.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/wrk_report.lua")
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Accept"] = "application/json"
-- as a browser does; only responses that are worth it come back compressed (the unit table)
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
done = wrk_json_done
