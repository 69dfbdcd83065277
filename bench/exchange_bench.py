"""Exchange benchmarks (issue 4):

1. envelopes sealed + opened per second on one core (SM4-GCM + SM2 sign/verify + SM3);
2. request/reply round trip through RabbitMQ at N concurrent requests (p50/p99), against a
   partner stand-in served in a second process, the way the sandbox serves it.

    .venv/bin/python bench/exchange_bench.py [--concurrency 200] [--requests 2000]

Uses AMQP_URL and REDIS_URL (defaults: local), a throwaway keyring and its own queue prefix.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

AMQP = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def seal_open_rate(seconds: float = 5.0) -> float:
    from exchange.envelope import Header, open_, seal
    from exchange.keys import Keyring, generate
    kr = Keyring(generate())
    body = {"id_number": "440703199001011239", "months": 12, "name": "陈明"}

    async def run() -> float:
        n, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            h = Header(sender="arh", receiver="tax", partner="tax", type="income.query", key_id="k1")
            await open_(seal(h, body, kr), kr, receiver="tax")
            n += 1
        return n / (time.perf_counter() - start)
    return asyncio.run(run())


def _partner(keyring_path: str, prefix: str, ready) -> None:  # noqa: ANN001
    import redis.asyncio as aioredis

    from exchange.client import serve_partner
    from exchange.keys import Keyring
    from exchange.transport import Transport

    async def main() -> None:
        kr = Keyring.load(keyring_path)
        t = await Transport.connect(AMQP, prefix=prefix)

        async def handler(header, body):  # noqa: ANN001, ANN202
            return {"ok": True, "data": {"id_number": body["id_number"], "months": []}}
        await serve_partner(t, kr, aioredis.from_url(REDIS), "tax", handler)
        ready.set()
        await asyncio.Event().wait()
    asyncio.run(main())


def round_trip(concurrency: int, total: int) -> dict:
    import redis.asyncio as aioredis

    from exchange.client import ExchangeClient
    from exchange.keys import Keyring, init
    from exchange.transport import Transport

    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "keys.json")
    init(path)
    prefix = f"arh.bench.{os.getpid()}"
    ready = mp.Event()
    proc = mp.Process(target=_partner, args=(path, prefix, ready), daemon=True)
    proc.start()
    ready.wait(30)

    async def main() -> dict:
        t = await Transport.connect(AMQP, prefix=prefix)
        c = await ExchangeClient(Keyring.load(path), t, aioredis.from_url(REDIS)).start()
        lat: list[float] = []
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                s = time.perf_counter()
                await c.request("tax", "income.query", {"id_number": "440703199001011239"}, timeout=60)
                lat.append((time.perf_counter() - s) * 1000)
        await asyncio.gather(*[one() for _ in range(20)])  # warm up
        lat.clear()
        start = time.perf_counter()
        await asyncio.gather(*[one() for _ in range(total)])
        wall = time.perf_counter() - start
        await t.channel.queue_delete(f"{prefix}.tax")
        await t.close()
        lat.sort()
        return {"requests": total, "concurrency": concurrency, "rps": total / wall,
                "p50_ms": statistics.median(lat), "p99_ms": lat[int(len(lat) * 0.99) - 1]}
    try:
        return asyncio.run(main())
    finally:
        proc.terminate()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--requests", type=int, default=2000)
    a = ap.parse_args()
    rate = seal_open_rate()
    print(f"| envelope seal+open, one core | {rate:.0f} per second |")
    r = round_trip(a.concurrency, a.requests)
    print(f"| request/reply via RabbitMQ, {r['concurrency']} concurrent, {r['requests']} requests | "
          f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms |")
