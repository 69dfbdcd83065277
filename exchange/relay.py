"""The relay: the process between the database and RabbitMQ (run it as `python -m app.relay`,
which registers every inbox handler first).

It publishes the outbox (exchange.outbox.run_relay) and consumes the platform's own queue, handing
each inbound envelope to the inbox. Several relays may run side by side: outbox rows are claimed
with SKIP LOCKED and the inbox applies a message once whichever relay receives it.
SIGTERM/SIGINT stop it after the current pass; SIGHUP reloads the keyring (key rotation).
"""
from __future__ import annotations

import asyncio
import logging
import signal

from app.config import get_settings
from app.core.cache import close_redis, redis
from app.core.context import SystemActor, current_actor
from app.core.db import close_db, init_db
from exchange import inbox
from exchange.keys import Keyring
from exchange.outbox import run_relay
from exchange.partners import PLATFORM
from exchange.transport import Transport

log = logging.getLogger("arh.exchange.relay")
ACTOR = SystemActor(name="数据交换中继")


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    s = get_settings()
    current_actor.set(ACTOR)
    await init_db(pool_max=5)
    keyring = Keyring.load(s.exchange_keyring)
    r = redis()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def reload_keys() -> None:
        keyring.data = Keyring.load(s.exchange_keyring).data
        log.info("keyring reloaded from %s", s.exchange_keyring)
    loop.add_signal_handler(signal.SIGHUP, reload_keys)

    async def on_message(raw: bytes, msg) -> None:  # noqa: ANN001
        current_actor.set(ACTOR)
        outcome = await inbox.receive(raw, keyring, r)
        log.debug("inbound %s: %s", msg.message_id, outcome)

    async def on_connect(transport: Transport) -> None:
        await transport.consume(PLATFORM, on_message)

    try:
        await run_relay(lambda: Transport.connect(s.amqp_url, s.exchange_prefix), keyring, stop=stop,
                        on_connect=on_connect)
    finally:
        await close_redis()
        await close_db()

