"""The platform's own exchange client journals every request/reply to the monitor."""
from __future__ import annotations

import httpx
import pytest

from app.core.db import conn
from exchange import runtime
from exchange.adapters import tax
from exchange.client import PartnerError
from exchange.models import ExchangeMessage
from sandbox import data

ZHOU = data.id_number("44070319800615978")  # high income in the sandbox's data


@pytest.mark.feature("INT-02")
async def test_runtime_client_records_replies_and_partner_errors(sandbox, api, token):
    client = await runtime.client()
    assert await runtime.client() is client  # one per process
    result = await tax.income(client, ZHOU, 3)
    assert len(result.months) == 3
    row = await ExchangeMessage.filter(partner="tax", direction="out").order_by("-id").first()
    assert row.status == "replied" and row.latency_ms is not None and row.latency_ms >= 0
    assert ZHOU in row.body  # stored encrypted, readable by the platform
    _, rows = await conn().execute_query("select body from exchange_message where id=$1", [row.id])
    assert ZHOU.encode() not in bytes(rows[0]["body"])

    async with httpx.AsyncClient(base_url=sandbox.url) as h:
        await h.post("/sandbox/faults/tax", json={"error_code": "TAX_BUSY"})
        try:
            with pytest.raises(PartnerError) as e:
                await tax.income(client, ZHOU, 3)
            assert e.value.code == "TAX_BUSY"
        finally:
            await h.delete("/sandbox/faults/tax")
    failed = await ExchangeMessage.filter(partner="tax", direction="out").order_by("-id").first()
    assert failed.status == "failed" and failed.error_code == "TAX_BUSY"

    r = await api.get("/api/v1/exchange/messages", await token("gov_admin"), params={"partner": "tax"})
    assert r.status_code == 200 and {failed.id, row.id} <= {x["id"] for x in r.json()["items"]}
    await runtime.close()
