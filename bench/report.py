#!/usr/bin/env python3
"""Print a markdown table of the load-test results in bench/results/.

Reads what bench/run.sh leaves there:
    locust_<scenario>_u<users>_stats.csv   locust's --csv statistics
    wrk_<scenario>_c<connections>.txt      wrk output with a "WRK_JSON {...}" line
    meta.json                              when, where, how long

Usage: python3 bench/report.py [RESULTS_DIR]
Standard library only.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ENDPOINTS = {
    "login": "POST /api/v1/auth/login",
    "me": "GET /api/v1/auth/me",
    "todo": "GET /api/v1/todo (100k cases)",
    "unit_table": "GET /api/v1/housing/buildings/{id}/table (33×12)",
    "unit_list": "GET /api/v1/housing/units, 3 filters (100k units)",
}
# Scenarios whose users open several screens, each reported on its own row.
MIXES = {"clerk": ("todo", "unit_list", "unit_table")}
THINK_LABEL = {"clerk": "locust, 1–3 s think"}
LOCUST_RE = re.compile(r"^locust_(?P<scenario>[a-z_]+)_u(?P<n>\d+)_stats\.csv$")
WRK_RE = re.compile(r"^wrk_(?P<scenario>[a-z_]+)_c(?P<n>\d+)\.txt$")


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def locust_rows(path: Path, scenario: str, n: int) -> list[dict]:
    wanted = {ENDPOINTS[k] for k in MIXES.get(scenario, (scenario,)) if k in ENDPOINTS}
    log = path.with_name(path.name.replace("_stats.csv", ".log"))
    saturated = log.is_file() and "CPU usage above" in log.read_text(errors="replace")
    tool = THINK_LABEL.get(scenario, "locust") + ("*" if saturated else "")
    rows = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row.get("Name") in wanted:
                rows.append({
                    "endpoint": row["Name"], "tool": tool, "concurrency": n,
                    "requests": int(_num(row["Request Count"])), "rps": _num(row["Requests/s"]),
                    "p50": _num(row["50%"]), "p99": _num(row["99%"]),
                    "failures": int(_num(row["Failure Count"])),
                })
    return rows


def wrk_rows(path: Path, scenario: str, n: int) -> list[dict]:
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("WRK_JSON "):
            d = json.loads(line[len("WRK_JSON "):])
            seconds = d["duration_us"] / 1e6 or float("nan")
            failures = (d["status_errors"] + d["connect_errors"] + d["read_errors"]
                        + d["write_errors"] + d["timeouts"])
            return [{
                "endpoint": ENDPOINTS.get(scenario, scenario), "tool": "wrk", "concurrency": n,
                "requests": d["requests"], "rps": d["requests"] / seconds,
                "p50": d["p50_us"] / 1000, "p99": d["p99_us"] / 1000,
                "failures": failures,
            }]
    return []


def collect(results: Path) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(results.iterdir()):
        if m := LOCUST_RE.match(path.name):
            rows += locust_rows(path, m["scenario"], int(m["n"]))
        elif m := WRK_RE.match(path.name):
            rows += wrk_rows(path, m["scenario"], int(m["n"]))
    rows.sort(key=lambda r: (r["endpoint"], r["tool"], r["concurrency"]))
    return rows


def _ms(v: float) -> str:
    if v != v:  # NaN
        return "-"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def render(rows: list[dict], meta: dict | None) -> str:
    out = []
    if meta:
        bits = [f"{k}: {v}" for k, v in meta.items()]
        out.append("Run: " + "; ".join(bits))
        out.append("")
    out.append("| endpoint | tool | concurrency | requests | RPS | p50 ms | p99 ms | failures |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        share = f" ({100 * r['failures'] / r['requests']:.1f}%)" if r["requests"] and r["failures"] else ""
        out.append(f"| {r['endpoint']} | {r['tool']} | {r['concurrency']} | {r['requests']} "
                   f"| {r['rps']:.1f} | {_ms(r['p50'])} | {_ms(r['p99'])} | {r['failures']}{share} |")
    if not rows:
        out.append("| (no results found) | | | | | | | |")
    if any(r["tool"].endswith("*") for r in rows):
        out.append("")
        out.append("locust* = locust warned that its own CPU use passed 90%: the load generator, "
                   "not only the API, limited that run; compare with wrk.")
    out.append("")
    out.append("concurrency = simulated users (locust: closed loop with no think time, or 1–3 s "
               "of think time between clicks where the tool says so) or open connections (wrk, no "
               "think time). Latency percentiles in milliseconds.")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    results = Path(argv[0]) if argv else Path(__file__).resolve().parent / "results"
    if not results.is_dir():
        print(f"no results directory: {results}", file=sys.stderr)
        return 1
    meta_path = results / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else None
    print(render(collect(results), meta))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
