"""The connection pool serves waiters in arrival order (app.core.pg), and the pool hands back
connections without the default reset round trip."""
from __future__ import annotations

import asyncio

import pytest

from app.core.pg import FairHolderQueue


class Holder:
    """Stands for asyncpg's connection holder: the queue prefers connected ones."""
    def __init__(self, name: str) -> None:
        self.name = name

    def is_connected(self) -> bool:
        return True


CONN = Holder("conn")


async def test_a_returned_connection_goes_to_the_oldest_waiter_not_to_a_newcomer():
    q = FairHolderQueue(maxsize=1)
    q.put_nowait(CONN)
    held = await q.get()
    order: list[str] = []

    async def want(name: str) -> None:
        c = await q.get()
        order.append(name)
        q.put_nowait(c)

    first = asyncio.create_task(want("first"))
    second = asyncio.create_task(want("second"))
    await asyncio.sleep(0)  # both are waiting now
    q.put_nowait(held)
    # Arrives after the hand-over but before the waiters run: with asyncio's LifoQueue it took the
    # connection and the woken waiter went to the back of the line.
    newcomer = asyncio.create_task(want("newcomer"))
    await asyncio.gather(first, second, newcomer)
    assert order == ["first", "second", "newcomer"]
    assert q.qsize() == 1


async def test_a_waiter_cancelled_after_being_handed_a_connection_passes_it_on():
    q = FairHolderQueue(maxsize=1)
    q.put_nowait(CONN)
    held = await q.get()
    a = asyncio.create_task(q.get())
    b = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put_nowait(held)  # handed to a ...
    a.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await a
    assert await asyncio.wait_for(b, 1) is CONN


async def test_a_cancelled_waiter_leaves_the_line():
    q = FairHolderQueue(maxsize=1)
    q.put_nowait(CONN)
    held = await q.get()
    a = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    a.cancel()
    with pytest.raises(asyncio.CancelledError):
        await a
    q.put_nowait(held)
    assert q.qsize() == 1 and await q.get() is CONN
