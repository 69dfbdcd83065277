"""schemathesis's own CLI (`st run`) against the test API: all four phases (examples, coverage,
fuzzing, stateful), with a fixed seed and a bounded example count so the run's length is
predictable (issue 10 §3). The in-process fuzzing in test_schemathesis.py stays for its real-ID
rounds; this one is what an outside tester runs.

One worker: hypothesis reads its strategies' lambda sources with `ast`, which races between threads
on CPython 3.11.7 ("AST constructor recursion depth mismatch").

The stateful phase follows OpenAPI links. The served document has no response schemas for the
fuzzer to infer them from, so the links below (create -> read, update, delete, children) are added
to a copy of the served document before the run.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.zz_fuzz.test_schemathesis import SESSION_KILLERS, supervisor  # noqa: F401 - the fixture

pytestmark = pytest.mark.feature("GOV-13-04", "GOV-13-05", "GOV-13-06")

SEED = 20261207
MAX_EXAMPLES = 3
V1 = "/api/v1"
# (create operation, response field, parameter, operations that take it)
LINKS = [
    ("POST /campaigns", "id", "campaign_id",
     ["GET /campaigns/{campaign_id}", "PUT /campaigns/{campaign_id}", "GET /campaigns/{campaign_id}/cases",
      "DELETE /campaigns/{campaign_id}"]),
    ("POST /identity/roles", "id", "role_id",
     ["GET /identity/roles/{role_id}", "PUT /identity/roles/{role_id}", "DELETE /identity/roles/{role_id}"]),
    ("POST /cases", "id", "case_id",
     ["GET /cases/{case_id}", "PATCH /cases/{case_id}", "POST /cases/{case_id}/comments",
      "POST /cases/{case_id}/documents", "POST /cases/{case_id}/withdraw"]),
    ("POST /housing/communities", "id", "community_id",
     ["GET /housing/communities/{community_id}", "PUT /housing/communities/{community_id}",
      "POST /housing/communities/{community_id}/buildings", "DELETE /housing/communities/{community_id}"]),
    ("POST /housing/communities/{community_id}/buildings", "id", "building_id",
     ["PUT /housing/buildings/{building_id}", "POST /housing/buildings/{building_id}/entrances",
      "DELETE /housing/buildings/{building_id}"]),
    ("POST /housing/plans", "id", "plan_id", ["PUT /housing/plans/{plan_id}", "DELETE /housing/plans/{plan_id}"]),
    ("POST /document-templates", "key", "key",
     ["GET /document-templates/{key}", "PUT /document-templates/{key}", "POST /document-templates/{key}/enable"]),
    ("POST /identity/staff", "id", "account_id",
     ["GET /identity/staff/{account_id}", "PUT /identity/staff/{account_id}"]),
]


def _op(spec: dict, label: str) -> tuple[str, str, dict] | None:
    method, path = label.split(" ", 1)
    item = spec["paths"].get(V1 + path, {})
    op = item.get(method.lower())
    return (method.lower(), V1 + path, op) if op else None


def with_links(spec: dict) -> tuple[dict, int]:
    """The document with the LINKS added to each create operation's 201 response; returns the count."""
    n = 0
    for source, field, param, targets in LINKS:
        found = _op(spec, source)
        if found is None:
            continue
        links = {}
        for t in targets:
            target = _op(spec, t)
            if target is not None:
                links[target[2].get("operationId") or t] = {
                    "operationId": target[2]["operationId"], "parameters": {param: f"$response.body#/{field}"}}
        responses = found[2].setdefault("responses", {})
        responses.setdefault("201", {"description": "已创建"})["links"] = links
        n += len(links)
    return spec, n


def test_st_run_all_phases_finds_no_server_error(live_server, supervisor, tmp_path: Path):  # noqa: ANN001, F811
    spec = httpx.get(live_server.url + "/docs/openapi.json", timeout=60).json()
    spec, n_links = with_links(spec)
    assert n_links >= 20, n_links
    doc = tmp_path / "openapi.json"
    doc.write_text(json.dumps(spec, ensure_ascii=False))
    excludes = [arg for m, p in SESSION_KILLERS for arg in ("--exclude-path", p)]
    report = tmp_path / "events.ndjson"
    cmd = [str(ROOT / ".venv" / "bin" / "st"), "run", str(doc), "--url", live_server.url,
           "--phases", "examples,coverage,fuzzing,stateful", "--checks", "not_a_server_error",
           "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--generation-database", "none",
           "--workers", "1", "--output-sanitize", "false", "--request-timeout", "30", "--no-color", "--suppress-health-check", "all",
           "-H", f"Authorization: Bearer {supervisor.token}", "-H", f"X-Forwarded-For: {supervisor.ip}",
           "--report", "ndjson", "--report-ndjson-path", str(report), *excludes]
    p = subprocess.run(cmd, cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=900)
    out = p.stdout + p.stderr
    (ROOT / "var" / "log").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "log" / "test-schemathesis-cli.log").write_text(out)
    assert p.returncode == 0, out[-6000:]
    events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    # The coverage, fuzzing and stateful phases ran and passed (the document has no examples, so that
    # phase is skipped); the stateful one followed the links into scenarios.
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in out, f"{phase} phase did not pass:\n{out[-3000:]}"
    assert "⏭  Examples" in out or "✅ Examples" in out
    assert any("Stateful" in json.dumps(e) for e in events)
    generated = re.search(r"(\d+) generated, (\d+) passed", out)
    assert generated and generated.group(1) == generated.group(2) and int(generated.group(1)) > 1000, out[-2000:]
