"""The admin's generated API types match the app's current routes.

admin/src/api/openapi.json is the app's OpenAPI document as the admin sees it (paths under
/api/v1), and schema.d.ts is openapi-typescript's output for it. Both are checked in; this fails
when a route, a schema or an enum changed without `cd admin && npm run gen:api`.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from app.api.dicts import dicts_json
from tests.conftest import ROOT

ADMIN = ROOT / "admin"
API_DIR = ADMIN / "src" / "api"
REGEN = "cd admin && npm run gen:api"


def test_openapi_json_is_the_apps_current_document() -> None:
    # Built in a fresh process, as `npm run gen:api` does: sanic-ext keeps schema components in
    # module state, so apps other tests created in this process would add to the document.
    current = subprocess.run([sys.executable, "-m", "app.cli", "openapi", "--base", "/api/v1"], cwd=ROOT,
                             check=True, capture_output=True, text=True, timeout=180).stdout
    checked_in = (API_DIR / "openapi.json").read_text(encoding="utf-8")
    if current != checked_in:
        now, was = json.loads(current)["paths"], json.loads(checked_in)["paths"]
        changed = sorted(set(now) ^ set(was)) + sorted(p for p in set(now) & set(was) if now[p] != was[p])
        pytest.fail(f"admin/src/api/openapi.json is stale ({len(changed)} paths differ, e.g. {changed[:5]}); run: {REGEN}")
    # Every admin call is relative to the one base the client uses.
    assert json.loads(checked_in)["servers"] == [{"url": "/api/v1"}]
    assert "/auth/login" in json.loads(checked_in)["paths"]


def test_dicts_json_is_the_servers_label_maps() -> None:
    checked_in = (API_DIR / "dicts.json").read_text(encoding="utf-8")
    assert checked_in == dicts_json(), f"admin/src/api/dicts.json is stale; run: {REGEN}"
    # The example the issue names: one source for the unit states the admin shows.
    assert json.loads(checked_in)["UnitState"]["available"] == "可配租"


def test_schema_types_are_generated_from_the_checked_in_document(tmp_path) -> None:
    npx = shutil.which("npx")
    assert npx, "node (npx) is needed to check the generated types"
    out = tmp_path / "schema.d.ts"
    subprocess.run(
        [npx, "--no-install", "openapi-typescript", "src/api/openapi.json", "-o", str(out), "--root-types", "--alphabetize"],
        cwd=ADMIN, check=True, capture_output=True, timeout=120,
    )
    assert out.read_text(encoding="utf-8") == (API_DIR / "schema.d.ts").read_text(encoding="utf-8"), (
        f"admin/src/api/schema.d.ts is stale; run: {REGEN}"
    )
