"""Staff push hub: live delivery to open admin tabs through Redis pub/sub.

Publishing is a Redis PUBLISH on `push:account:<id>`, so any process (API worker, job worker)
reaches a socket held by any API worker. Each API process keeps ONE pub/sub connection and
subscribes to an account's channel while at least one of that account's sockets is open; a
connection per socket would take one from the shared pool each and starve ordinary requests.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable

from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from app.core.cache import redis

log = logging.getLogger("arh.push")
QUEUE_MAX = 200  # payloads waiting for one socket
SUBSCRIBE_WAIT_SECONDS = 3.0


def channel(account_id: int) -> str:
    return f"push:account:{int(account_id)}"


async def publish(items: Iterable[tuple[int, dict]]) -> int:
    """PUBLISH each (account id, JSON payload) in one round trip. Returns how many were sent.

    Called after commit; a Redis failure is logged, not raised: the rows are already stored
    and the admin sees them on its next refresh."""
    items = list(items)
    if not items:
        return 0
    try:
        async with redis().pipeline(transaction=False) as p:
            for aid, payload in items:
                p.publish(channel(aid), json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
            await p.execute()
    except (RedisError, OSError) as e:
        log.warning("push publish failed for %d message(s): %s", len(items), e)
        return 0
    return len(items)


class Hub:
    """One per process: fans messages from Redis out to the local sockets' queues."""

    def __init__(self) -> None:
        self._queues: dict[int, set[asyncio.Queue]] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def attach(self, account_id: int) -> asyncio.Queue:
        """A queue that receives every payload published to the account from now on."""
        q: asyncio.Queue = asyncio.Queue(QUEUE_MAX)
        async with self._lock:
            qs = self._queues.setdefault(account_id, set())
            qs.add(q)
            ch = channel(account_id)
            if len(qs) == 1:
                if self._pubsub is None:
                    self._pubsub = redis().pubsub()
                self._ready[ch] = asyncio.Event()
                try:
                    await self._pubsub.subscribe(ch)
                except BaseException:
                    # Redis unreachable: forget this socket; the tab retries with backoff.
                    del self._queues[account_id], self._ready[ch]
                    raise
                if self._reader is None or self._reader.done():
                    self._reader = asyncio.create_task(self._read(), name="push-hub-reader")
            ready = self._ready.get(ch)
        if ready is not None:
            # Redis confirms the subscription; until then a publish could pass this process by.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ready.wait(), SUBSCRIBE_WAIT_SECONDS)
        return q

    async def detach(self, account_id: int, q: asyncio.Queue) -> None:
        async with self._lock:
            qs = self._queues.get(account_id)
            if not qs:
                return
            qs.discard(q)
            if not qs:
                del self._queues[account_id]
                ch = channel(account_id)
                self._ready.pop(ch, None)
                if self._pubsub is not None:
                    try:
                        await self._pubsub.unsubscribe(ch)
                    except (RedisError, OSError) as e:
                        log.info("push unsubscribe %s failed: %s", ch, e)

    def _dispatch(self, ch: str, data: str) -> None:
        try:
            aid = int(ch.rsplit(":", 1)[1])
            payload = json.loads(data)
        except (ValueError, IndexError):
            log.warning("push: dropped malformed message on %s", ch)
            return
        for q in list(self._queues.get(aid, ())):
            try:
                q.put_nowait(payload)
            except asyncio.QueueFull:
                # A socket this far behind gets one `resync` instead: the tab reloads its messages.
                while not q.empty():
                    q.get_nowait()
                q.put_nowait({"type": "resync"})

    async def _read(self) -> None:
        backoff = 0.5
        while True:
            ps = self._pubsub
            if ps is None:
                return
            try:
                m = await ps.get_message(timeout=5.0)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, RuntimeError) as e:
                # redis-py reconnects and resubscribes on the next read; wait a little first.
                log.warning("push hub read failed: %s", e)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if m is None:
                continue
            ch = m.get("channel")
            if m["type"] == "subscribe":
                if (ev := self._ready.get(ch)) is not None:
                    ev.set()
            elif m["type"] == "message":
                self._dispatch(ch, m["data"])

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
            self._pubsub = None
        self._queues.clear()
        self._ready.clear()


hub = Hub()
