"""Campaigns (专题工作) over HTTP: maintained in scope, and new cases of their window linked to them."""
from __future__ import annotations

import datetime as dt

import pytest

from app.domains.campaigns.models import Campaign
from app.workflow.models import Case
from tests.api.test_cases import JH, PJ, intake


@pytest.mark.feature("GOV-03-01")
async def test_campaign_links_matching_new_cases(api, token):
    admin, clerk = await token("gov_admin"), await token("gov_clerk")
    now = dt.datetime.now(dt.timezone.utc)
    r = await api.post("/api/v1/campaigns", admin, json={
        "name": "2026年冬季集中受理", "case_types": ["eligibility_application"], "district_code": PJ,
        "starts_at": (now - dt.timedelta(hours=1)).isoformat(), "ends_at": (now + dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.text
    camp = r.json()
    r = await api.post("/api/v1/campaigns", admin, json={
        "name": "坏", "case_types": ["nope"], "starts_at": now.isoformat(), "ends_at": now.isoformat()})
    assert r.status_code == 422
    assert (await api.post("/api/v1/campaigns", clerk, json={})).status_code == 403
    inside = await intake(api, clerk)
    other_district = await intake(api, clerk, district=JH)
    other_type = await intake(api, clerk, case_type="complaint", form={"category": "物业服务", "content": "噪音"})
    assert inside["campaign"] == {"id": camp["id"], "name": "2026年冬季集中受理"}
    assert other_district["campaign"] is None and other_type["campaign"] is None
    r = await api.get(f"/api/v1/campaigns/{camp['id']}/cases", clerk)
    assert [c["id"] for c in r.json()["items"]] == [inside["id"]]
    r = await api.get("/api/v1/campaigns?name__contains=冬季", clerk)
    assert r.json()["items"][0]["case_count"] == 1
    r = await api.put(f"/api/v1/campaigns/{camp['id']}", admin, json={
        "name": "2026年冬季集中受理（延期）", "case_types": ["eligibility_application"], "district_code": PJ,
        "starts_at": camp["starts_at"], "ends_at": (now + dt.timedelta(days=60)).isoformat()})
    assert r.status_code == 200
    r = await api.delete(f"/api/v1/campaigns/{camp['id']}", admin)
    assert r.status_code == 200 and r.json()["unlinked"] == 1
    assert (await Case.get(id=inside["id"])).campaign_id is None
    assert not await Campaign.filter(id=camp["id"]).exists()


@pytest.mark.feature("GOV-03-01")
async def test_district_maintains_only_its_own_campaigns(api, token):
    admin, pj_sup = await token("gov_admin"), await token("pj_supervisor")
    now = dt.datetime.now(dt.timezone.utc)
    window = {"starts_at": now.isoformat(), "ends_at": (now + dt.timedelta(days=7)).isoformat()}
    r = await api.post("/api/v1/campaigns", admin, json={"name": "全市专题", "case_types": ["complaint"], **window})
    assert r.status_code == 201, r.text
    city = r.json()
    r = await api.post("/api/v1/campaigns", admin, json={
        "name": "江海专题", "case_types": ["complaint"], "district_code": JH, **window})
    jh = r.json()
    # The district sees the city-wide campaign but may not change it, and never sees another district's.
    assert (await api.get(f"/api/v1/campaigns/{city['id']}", pj_sup)).status_code == 200
    r = await api.put(f"/api/v1/campaigns/{city['id']}", pj_sup, json={
        "name": "改名", "case_types": ["complaint"], **window})
    assert r.status_code == 403 and r.json()["error"]["message"] == "全市专题只能由市住建局维护"
    assert (await api.get(f"/api/v1/campaigns/{jh['id']}", pj_sup)).status_code == 404
    assert (await api.delete(f"/api/v1/campaigns/{jh['id']}", pj_sup)).status_code == 404
    r = await api.post("/api/v1/campaigns", pj_sup, json={
        "name": "江海专题2", "case_types": ["complaint"], "district_code": JH, **window})
    assert r.status_code == 403
    assert (await Campaign.get(id=city["id"])).name == "全市专题"
    assert await Campaign.filter(id=jh["id"]).exists() and not await Campaign.filter(name="江海专题2").exists()
    r = await api.post("/api/v1/campaigns", pj_sup, json={
        "name": "蓬江专题", "case_types": ["complaint"], "district_code": PJ, **window})
    assert r.status_code == 201 and r.json()["district_code"] == PJ
