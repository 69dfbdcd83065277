"""The server's enumerations with their Chinese labels, from one place: GET /api/public/dicts.

Each entry names the label map its owner already uses (models, schemas, case types), so a client
never keeps its own copy: the admin's `src/api/dicts.json` is generated from `dicts()`
(`cd admin && npm run gen:api`, checked by tests/unit/test_admin_api_fresh.py), and the portal
and the mobile channel can read the endpoint. Order is the owner's order (option lists keep it).
"""
from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.core.regions import CITY_CODE, DISTRICT_NAMES
from app.domains.housing.projects import models as project_models
from app.domains.housing.projects import schemas as project_schemas
from app.domains.housing.stock import models as stock_models
from app.domains.housing.stock import schemas as stock_schemas
from app.domains.housing.stock import rules as stock_rules
from app.identity import routes as identity_routes
from app.identity.guard import public
from app.workflow import case_types

bp_dicts = Blueprint("dicts", url_prefix="/api/public/dicts")



def _same(values: tuple[str, ...]) -> dict[str, str]:
    return {v: v for v in values}


# name -> (title, code -> label). Names are the admin's (`dicts.UnitState`); add one line per enum.
_DICTS: dict[str, tuple[str, Mapping[str, str]]] = {
    "District": ("行政区划", {CITY_CODE: "江门市", **DISTRICT_NAMES}),
    "OrgKind": ("单位类型", identity_routes.ORG_KIND),
    "AccountKind": ("账号类型", identity_routes.ACCOUNT_KIND),
    "Position": ("岗位", identity_routes.POSITION),
    "LockState": ("锁定状态", identity_routes.LOCK_STATE),
    "CaseStatus": ("业务状态", case_types.STATUSES),
    "CaseChannel": ("受理渠道", case_types.CHANNELS),
    "SupplyMode": ("筹集方式", project_models.SUPPLY_MODES),
    "ProjectState": ("项目状态", project_models.PROJECT_STATES),
    "UnitState": ("房屋状态", stock_models.UNIT_STATES),
    "ConstructionState": ("建设状态", project_schemas.CONSTRUCTION_STATES),
    "QualificationStatus": ("资格状态", project_schemas.QUALIFICATION_STATUSES),
    "AlertKind": ("预警类型", project_schemas.ALERT_KINDS),
    "AlertStatus": ("预警状态", project_schemas.ALERT_STATUSES),
    "CertificateStatus": ("证书状态", project_schemas.DOCUMENT_STATUSES),
    "UnitHistoryAction": ("房屋变更类型", stock_rules.HISTORY_ACTIONS),
    "UnitChangeField": ("房屋变更项", stock_rules.CHANGE_LABELS),
    # Value lists: the code is the Chinese word itself.
    "ProjectFileKind": ("项目资料类别", _same(project_schemas.FILE_KINDS)),
    "UnitLayout": ("户型", _same(stock_schemas.LAYOUTS)),
    "Orientation": ("朝向", _same(stock_schemas.ORIENTATIONS)),
    "Decoration": ("装修", _same(stock_schemas.DECORATIONS)),
    "Facility": ("配套设施", _same(stock_schemas.FACILITIES)),
}


def dicts() -> dict[str, dict[str, str]]:
    """Every enumeration: name -> {code: label}, in the owner's order."""
    return {name: dict(labels) for name, (_, labels) in _DICTS.items()}


def dicts_json() -> str:
    """The admin's generated copy (admin/src/api/dicts.json): stable text, the owners' order kept."""
    return jsonlib.dumps(dicts(), ensure_ascii=False, indent=2) + "\n"


def _schema() -> dict:
    props = {
        name: {"type": "object", "title": title, "description": "、".join(f"{k} {v}" for k, v in labels.items()),
               "properties": {k: {"type": "string", "enum": [v]} for k, v in labels.items()},
               "required": list(labels), "additionalProperties": False}
        for name, (title, labels) in _DICTS.items()
    }
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


@bp_dicts.get("")
@openapi.summary("枚举字典：代码与中文名称（单位类型、业务状态、房屋状态等）")
@openapi.response(200, {"application/json": _schema()})
@public
async def dict_list(request: Request):
    return json(dicts())
