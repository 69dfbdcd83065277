"""Business numbers `<TYPE>-<yyyymmdd>-<seq>` from PostgreSQL sequences.

A shared mechanism with no feature ID of its own; every numbered business uses it.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import string

import pytest

from app.core import ids
from app.core.db import conn, uow


def _fresh_type() -> str:
    # Sequences live in the run's database; a type of our own keeps other tests' numbers out.
    return "T" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(7))


async def test_format_and_date():
    today = dt.datetime.now(ids.CN).date()
    a = await ids.next_number("BZSQ")
    b = await ids.next_number("BZSQ")
    pat = re.compile(rf"^BZSQ-{today:%Y%m%d}-(\d{{4,}})$")
    ma, mb = pat.match(a), pat.match(b)
    assert ma and mb, (a, b)
    assert int(mb.group(1)) > int(ma.group(1))
    t = _fresh_type()
    assert await ids.next_number(t) == f"{t}-{today:%Y%m%d}-0001"
    assert await ids.next_number(t) == f"{t}-{today:%Y%m%d}-0002"


async def test_each_day_has_its_own_sequence():
    t = _fresh_type()
    d1, d2 = dt.date(2026, 11, 26), dt.date(2026, 11, 27)
    assert await ids.next_number(t, today=d1) == f"{t}-20261126-0001"
    assert await ids.next_number(t, today=d2) == f"{t}-20261127-0001"
    assert await ids.next_number(t, today=d1) == f"{t}-20261126-0002"
    _, rows = await conn().execute_query(
        "SELECT count(*) AS n FROM pg_class WHERE relkind = 'S' AND relname LIKE $1", [f"bizno_{t.lower()}_%"])
    assert rows[0]["n"] == 2


async def test_fifty_concurrent_calls_get_fifty_consecutive_numbers():
    t = _fresh_type()
    got = await asyncio.gather(*[ids.next_number(t) for _ in range(50)])
    assert len(set(got)) == 50
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in got)
    assert seqs == list(range(1, 51))


async def test_concurrent_first_use_from_fresh_processes_state():
    """Racing creators of a new day's sequence (as separate processes would be) all succeed."""
    t = _fresh_type()
    ids._known.clear()
    got = await asyncio.gather(*[ids.next_number(t, today=dt.date(2030, 1, 2)) for _ in range(20)])
    assert sorted(got) == [f"{t}-20300102-{i:04d}" for i in range(1, 21)]


async def test_first_number_of_the_day_in_a_rolled_back_transaction():
    """The day's sequence made inside a transaction that rolls back goes with it; numbering goes on."""
    t = _fresh_type()
    day = f"{dt.datetime.now(ids.CN).date():%Y%m%d}"

    class Boom(Exception):
        pass
    with pytest.raises(Boom):
        async with uow() as tx:
            assert await ids.next_number(t, using=tx) == f"{t}-{day}-0001"
            raise Boom
    # nothing was committed with 0001, so it may be handed out again; it must not fail
    async with uow() as tx:
        assert await ids.next_number(t, using=tx) == f"{t}-{day}-0001"
    assert await ids.next_number(t) == f"{t}-{day}-0002"
    with pytest.raises(Boom):
        async with uow() as tx:
            assert await ids.next_number(t, using=tx) == f"{t}-{day}-0003"
            raise Boom
    assert await ids.next_number(t) == f"{t}-{day}-0004"  # a committed sequence never repeats


async def test_first_use_inside_racing_transactions():
    """A day's sequence first asked for inside business transactions: none of them is aborted."""
    t = _fresh_type()
    ids._known.clear()

    async def one() -> str:
        async with uow() as tx:
            n = await ids.next_number(t, using=tx)
            await tx.execute_query("SELECT 1")  # the transaction is still usable
            return n
    # wait_for only turns a pool deadlock into a failure instead of a hung run
    got = await asyncio.wait_for(asyncio.gather(*[one() for _ in range(5)]), 60)
    assert sorted(got) == [f"{t}-{dt.datetime.now(ids.CN).date():%Y%m%d}-{i:04d}" for i in range(1, 6)]
    assert await ids.next_number(t) == f"{t}-{dt.datetime.now(ids.CN).date():%Y%m%d}-0006"


@pytest.mark.parametrize("bad", ["bzsq", "B", "BZSQ1", "BZ-SQ", "ABCDEFGHI", "", "X; DROP TABLE account"])
async def test_bad_type_code_raises(bad):
    with pytest.raises(ValueError, match="bad business type"):
        await ids.next_number(bad)
