"""Outbox rows for tests of the monitor (API and browser), made through the real outbox and relay."""
from __future__ import annotations

import copy
import datetime as dt
import os

from tortoise.expressions import Q

from app.core.db import uow
from exchange import outbox
from exchange.keys import Keyring
from exchange.models import ExchangeMessage

# A year ahead: a relay process that the session may run never takes these rows.
FAR = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)


def keyring() -> Keyring:
    return Keyring.load(os.environ["EXCHANGE_KEYRING"])


async def pending(partner: str, type_: str, body: dict, business_no: str) -> ExchangeMessage:
    async with uow() as tx:
        return await outbox.enqueue(tx, partner, type_, body, business_no=business_no, not_before=FAR)


async def dead(partner: str, type_: str, body: dict, business_no: str) -> ExchangeMessage:
    """A message whose partner key was withdrawn: every send fails until the relay gives up."""
    row = await pending(partner, type_, body, business_no)
    broken = Keyring(copy.deepcopy(keyring().data))
    broken.data["parties"][partner]["data_keys"] = {}
    now = FAR + dt.timedelta(seconds=1)
    for _ in range(outbox.MAX_ATTEMPTS):
        # The transport is never reached: sealing fails first.
        await outbox.relay_once(None, broken, clock=lambda: now, where=Q(id=row.id))
        now += dt.timedelta(seconds=outbox.BACKOFF_CAP_SECONDS)
    row = await ExchangeMessage.get(id=row.id)
    assert row.status == "dead", row.status
    return row
