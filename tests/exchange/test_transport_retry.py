"""Transport: a failing consumer's message is retried with growing delays, then dead-lettered."""
from __future__ import annotations

import asyncio
import os
import time

import pytest

from exchange.transport import Transport

pytestmark = pytest.mark.feature("SYS-10")


async def test_retry_with_backoff_then_success_and_dead_letter():
    t = await Transport.connect(os.environ["AMQP_URL"], prefix=f"{os.environ['EXCHANGE_PREFIX']}.rt",
                                retry_base=0.2, max_attempts=4)
    try:
        seen: list[tuple[bytes, float, int]] = []
        done = asyncio.Event()

        async def flaky(raw: bytes, msg) -> None:  # noqa: ANN001
            seen.append((raw, time.monotonic(), int((msg.headers or {}).get("x-attempt", 0))))
            if raw == b"ok-on-third" and len(seen) < 3:
                raise RuntimeError("partner database busy")
            if raw == b"always-fails":
                raise RuntimeError("cannot apply")
            done.set()

        await t.consume("tax", flaky)
        await t.publish("tax", b"ok-on-third", message_id="m1")
        await asyncio.wait_for(done.wait(), 20)
        assert [a for _, _, a in seen] == [0, 1, 2]
        gaps = [seen[i + 1][1] - seen[i][1] for i in range(2)]
        assert gaps[1] > gaps[0] * 1.3  # exponential: 0.2 s, then 0.4 s

        seen.clear()
        await t.publish("tax", b"always-fails", message_id="m2")
        for _ in range(100):
            dead = await t.dead_letters()
            if any(m.message_id == "m2" for m in dead):
                break
            await asyncio.sleep(0.2)
        m = next(m for m in await t.dead_letters() if m.message_id == "m2")
        assert m.body == b"always-fails" and m.headers["x-attempt"] == 4
        assert m.headers["x-last-error"] == "cannot apply" and m.headers["x-party"] == "tax"
        assert len(seen) == 4  # tried max_attempts times, not more
    finally:
        for q in ("tax", "retry", "dead"):
            await t.channel.queue_delete(f"{t.prefix}.{q}")
        await t.close()
