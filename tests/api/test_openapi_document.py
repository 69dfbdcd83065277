"""The served OpenAPI document is valid, and every request string that lands in a varchar column
declares (and validates) that column's length (issue 10 §3: an outside fuzzer found an undeclared
path parameter and a 500 on a value longer than its column).

The document is checked against the OpenAPI 3.0 meta-schema schemathesis itself validates with,
plus what a meta-schema cannot express: each `{name}` of a path is declared once as a required
path parameter, and nothing else is declared in the path.
"""
from __future__ import annotations

import re

import httpx
import jsonschema_rs
import pytest
from pydantic import BaseModel
from schemathesis.specs.openapi.definitions import OPENAPI_30
from tortoise import Tortoise, fields

pytestmark = pytest.mark.feature("GOV-13-04")

# Which tables each request schema writes. A new request schema must be listed here (with [] when
# it writes no varchar column of its own), so its strings are checked against the columns.
WRITES: dict[str, list[str]] = {
    "ActIn": ["WorkItem", "CaseEvent"], "BuildingIn": ["Building"], "BuildingUpdate": ["Building"],
    "CaIn": ["Account"], "CampaignIn": ["Campaign"], "CaseEdit": ["Case"], "CaseIn": ["Case", "CaseMaterial"],
    "ChangeCaseIn": ["Case"], "ChangePassword": [], "ChangePhone": [], "CommunityIn": ["Community"],
    "CommunityUpdate": ["Community"], "DocumentIssue": ["IssuedDocument"], "DocumentRevoke": ["IssuedDocument"],
    "EnableIn": ["RuleSetVersion"], "EntranceIn": ["Entrance"], "EntranceUpdate": ["Entrance"],
    "FormIn": ["FormVersion"], "HousingTargetIn": ["PlanHousingTarget"], "HousingTargetUpdate": ["PlanHousingTarget"],
    "ImportCommitIn": [], "ImportIn": [], "IntakeUnitIn": ["Unit"], "IssueIn": ["IssuedDocument"],
    "LeaveIn": ["Account"], "LockIn": ["Unit", "UnitHistory"], "LoginChallenge": [], "LoginVerify": [],
    "MaterialIn": ["CaseMaterial"], "MeSmsCodeRequest": [], "MyCaseIn": ["Case", "CaseMaterial"],
    "OperatorIn": ["Project"], "OpinionIn": ["CaseEvent"], "PasswordReset": [], "PersonLogin": [], "PhoneIn": [],
    "PlanIn": ["AnnualPlan"], "ProcessXmlIn": ["ProcessVersion"], "ProjectCaseIn": ["Case"],
    "ProjectFileIn": ["ProjectFile"], "ProjectTargetIn": ["PlanProjectTarget"],
    "ProjectTargetUpdate": ["PlanProjectTarget"], "ProjectUpdate": ["Project"], "ReaPickIn": ["Unit"],
    "ReasonIn": ["CaseEvent"], "Register": ["Account"], "RemoveUnitsIn": [], "RoleIds": [], "RoleIn": ["Role"],
    "RuleSetCreate": ["RuleSetVersion"], "RuleSetSave": ["RuleSetVersion"], "SecondFactorIn": [],
    "SmsCodeRequest": [], "StaffAccountIn": ["Account"], "StaffIn": ["Account"], "StaffLogin": [],
    "StaffUpdate": ["Account"], "TemplateCreate": ["DocumentTemplate"], "TemplateEnable": ["DocumentTemplate"],
    "TemplatePreview": ["DocumentTemplate"], "TemplateSave": ["DocumentTemplate"], "TransferIn": ["WorkItem"],
    "TryIn": [], "UnlockIn": ["Unit", "UnitHistory"], "ValidateIn": [],
}
# Request fields stored under another column name: "Schema.field" -> "Model.column".
ALIASES = {
    "CaseIn.applicant.name": "Case.applicant_name",
    "DocumentRevoke.reason": "IssuedDocument.revoked_reason", "ReasonIn.reason": "Case.outcome_reason",
}


@pytest.fixture(scope="module")
async def spec(live_server) -> dict:  # noqa: ANN001
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as c:
        r = await c.get("/docs/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_the_document_is_valid_openapi(spec):  # noqa: ANN001
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message[:300]}"
              for e in jsonschema_rs.validator_for(OPENAPI_30).iter_errors(spec)]
    assert errors == [], "\n".join(errors[:20])
    assert spec["openapi"].startswith("3.0.")


def test_every_path_parameter_is_declared_once_and_required(spec):  # noqa: ANN001
    problems, ids = [], []
    for path, item in spec["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = op.get("parameters", []) + item.get("parameters", [])
            declared = [p["name"] for p in params if p["in"] == "path"]
            if sorted(declared) != sorted(names):
                problems.append(f"{method.upper()} {path}: path {names}, declared {declared}")
            if any(not p.get("required") for p in params if p["in"] == "path"):
                problems.append(f"{method.upper()} {path}: a path parameter is not required")
            keys = [(p["name"], p["in"]) for p in params]
            if len(keys) != len(set(keys)):
                problems.append(f"{method.upper()} {path}: a parameter is declared twice")
            if op.get("operationId"):
                ids.append(op["operationId"])
    assert problems == [], "\n".join(problems)
    assert len(ids) == len(set(ids)), "operationIds repeat"
    op = spec["paths"]["/api/v1/campaigns/{campaign_id}/cases"]["get"]
    assert {"name": "campaign_id", "in": "path"}.items() <= next(
        p for p in op["parameters"] if p["in"] == "path").items()


def _request_models(spec: dict) -> dict[str, type[BaseModel]]:
    import app.server  # noqa: F401 - the platform's blueprints
    from app.domains import DOMAINS
    for d in DOMAINS:  # and every installed domain's, so every request schema is defined
        d.load_blueprints()
    titles = set()
    for item in spec["paths"].values():
        for op in item.values():
            body = op.get("requestBody") if isinstance(op, dict) else None
            for media in (body or {}).get("content", {}).values():
                if media["schema"].get("title"):
                    titles.add(media["schema"]["title"])

    def subclasses(c: type) -> list[type]:
        return [s for x in c.__subclasses__() for s in (x, *subclasses(x))]
    found = {c.__name__: c for c in subclasses(BaseModel) if c.__module__.startswith("app.") and c.__name__ in titles}
    assert titles == set(found), f"request schemas not found among app's models: {titles - set(found)}"
    return found


def _strings(schema: dict, defs: dict, prefix: str = "") -> list[tuple[str, dict]]:
    """(dotted name, string schema) of every string property, nested objects and arrays included."""
    out = []
    for name, p in schema.get("properties", {}).items():
        for alt in p.get("anyOf", [p]):
            if "$ref" in alt:
                alt = defs[alt["$ref"].split("/")[-1]]
            if alt.get("type") == "string":
                out.append((prefix + name, alt))
            elif alt.get("type") == "object" and "properties" in alt:
                out += _strings(alt, defs, f"{prefix}{name}.")
            elif alt.get("type") == "array":
                items = alt.get("items", {})
                if "$ref" in items:
                    items = defs[items["$ref"].split("/")[-1]]
                if items.get("type") == "string":
                    out.append((prefix + name, items))
                elif "properties" in items:
                    out += _strings(items, defs, f"{prefix}{name}.")
    return out


def _longest(s: dict) -> int | None:
    """The longest value the schema accepts: maxLength, or the longest of an enum."""
    if "enum" in s:
        return max(len(str(v)) for v in s["enum"])
    if "const" in s:
        return len(str(s["const"]))
    return s.get("maxLength")


def test_every_request_string_bound_for_a_varchar_has_its_length(spec):  # noqa: ANN001
    models = Tortoise.apps["models"]
    problems = []
    for title, cls in sorted(_request_models(spec).items()):
        if title not in WRITES:
            problems.append(f"{title}: not in WRITES (say which tables it writes)")
            continue
        schema = cls.model_json_schema()
        for name, s in _strings(schema, schema.get("$defs", {})):
            target = ALIASES.get(f"{title}.{name}")
            if target:
                columns = [tuple(target.split("."))]
            else:
                last = name.split(".")[-1]
                columns = [(m, last) for m in WRITES[title] if last in models[m]._meta.fields_map]
            for model, column in columns:
                f = models[model]._meta.fields_map[column]
                if not isinstance(f, fields.CharField):
                    continue
                longest = _longest(s)
                if longest is None or longest > f.max_length:
                    problems.append(f"{title}.{name}: accepts {longest or 'any'} characters, "
                                    f"{model}.{column} holds {f.max_length}")
    assert problems == [], "\n".join(problems)


async def test_a_value_longer_than_its_column_is_a_422_not_a_500(api, token):  # noqa: ANN001
    t = await token("gov_admin")
    r = await api.post("/api/v1/document-templates", t, json={
        "key": "k" * 70, "name": "超长编号", "case_type": "complaint", "html": "<p>{{ case.number }}</p>"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "INVALID_INPUT" and "key" in err["fields"]


async def test_a_key_as_long_as_its_column_is_stored_and_audited(api, token):  # noqa: ANN001
    """The schemathesis CLI run's finding: a 64-character template key passed validation, and the
    audit row's object id (`<key>@1`) overflowed its column: a 500. Now it is stored and audited."""
    from app.core.models import AuditLog
    from app.documents.models import DocumentTemplate
    import secrets
    key = "k" + secrets.token_hex(4) + "x" * 55
    assert len(key) == 64
    r = await api.post("/api/v1/document-templates", await token("gov_admin"), json={
        "key": key, "name": "长编号模板", "html": "<p>{{ today }}</p>"})
    assert r.status_code == 201, r.text
    assert await DocumentTemplate.filter(key=key, version=1).exists()
    assert await AuditLog.filter(action="document.template.create", object_id=f"{key}@1").count() == 1
