"""RabbitMQ transport for envelopes (aio-pika).

Topology, under one prefix (default `arh.exchange`):
- `<prefix>`         durable direct exchange; one durable queue `<prefix>.<party>` per party,
                     bound by the party code ("arh" is the platform, the rest are partners);
- `<prefix>.retry`   a handler that fails republishes here with a per-message TTL of
                     2^attempt seconds; when it expires RabbitMQ dead-letters it back to
                     the party's queue (exponential retry);
- `<prefix>.dead`    after MAX_ATTEMPTS the message rests here (the dead-letter queue);
- replies go to each requester's exclusive reply queue through the default exchange.
Publishes wait for publisher confirms and are mandatory, so an unroutable message is an error.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection

log = logging.getLogger("arh.exchange")
MAX_ATTEMPTS = 6
Handler = Callable[[bytes, AbstractIncomingMessage], Awaitable[None]]


class Transport:
    def __init__(self, connection: AbstractRobustConnection, channel: AbstractRobustChannel, prefix: str,
                 retry_base: float = 1.0, max_attempts: int = MAX_ATTEMPTS):
        self.connection, self.channel, self.prefix = connection, channel, prefix
        self.retry_base, self.max_attempts = retry_base, max_attempts
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._queues: dict[str, aio_pika.abc.AbstractQueue] = {}

    @classmethod
    async def connect(cls, amqp_url: str, prefix: str = "arh.exchange", *, timeout: float = 10,
                      retry_base: float = 1.0, max_attempts: int = MAX_ATTEMPTS) -> "Transport":
        conn = await aio_pika.connect_robust(amqp_url, timeout=timeout)
        ch = await conn.channel(publisher_confirms=True)
        await ch.set_qos(prefetch_count=32)
        t = cls(conn, ch, prefix, retry_base, max_attempts)
        await t._declare_base()
        return t

    async def close(self) -> None:
        await self.connection.close()

    async def _declare_base(self) -> None:
        self._exchange = await self.channel.declare_exchange(self.prefix, aio_pika.ExchangeType.DIRECT, durable=True)
        # Retries wait in one queue; when a message's TTL expires RabbitMQ dead-letters it back
        # through the main exchange with its original routing key (the party).
        self._retry_exchange = await self.channel.declare_exchange(f"{self.prefix}.retry", aio_pika.ExchangeType.FANOUT,
                                                                   durable=True)
        rq = await self.channel.declare_queue(f"{self.prefix}.retry", durable=True,
                                              arguments={"x-dead-letter-exchange": self.prefix})
        await rq.bind(self._retry_exchange)
        await self.channel.declare_queue(f"{self.prefix}.dead", durable=True)

    async def declare_party(self, party: str) -> aio_pika.abc.AbstractQueue:
        q = self._queues.get(party)
        if q is None:
            q = await self.channel.declare_queue(f"{self.prefix}.{party}", durable=True)
            await q.bind(self._exchange, routing_key=party)
            self._queues[party] = q
        return q

    async def publish(self, receiver: str, raw: bytes, *, message_id: str, correlation_id: str | None = None,
                      reply_to: str | None = None, headers: dict | None = None) -> None:
        await self.declare_party(receiver)
        msg = aio_pika.Message(raw, message_id=message_id, correlation_id=correlation_id, reply_to=reply_to,
                               delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json",
                               headers=headers or {})
        await self._exchange.publish(msg, routing_key=receiver, mandatory=True)

    async def reply(self, reply_to: str, raw: bytes, *, message_id: str, correlation_id: str) -> None:
        msg = aio_pika.Message(raw, message_id=message_id, correlation_id=correlation_id,
                               content_type="application/json")
        await self.channel.default_exchange.publish(msg, routing_key=reply_to)

    async def reply_queue(self, on_message: Callable[[AbstractIncomingMessage], Awaitable[None]]) -> str:
        q = await self.channel.declare_queue(exclusive=True, auto_delete=True)
        await q.consume(on_message, no_ack=True)
        return q.name

    async def consume(self, party: str, handler: Handler) -> None:
        """Run `handler` per message; a failing handler's message is retried with backoff, then dead-lettered."""
        q = await self.declare_party(party)

        async def on_message(msg: AbstractIncomingMessage) -> None:
            async with msg.process(requeue=False, ignore_processed=True):
                try:
                    await handler(msg.body, msg)
                except Exception as e:  # noqa: BLE001 - any failure goes to retry, never lost
                    await self._retry(party, msg, e)

        await q.consume(on_message)

    async def _retry(self, party: str, msg: AbstractIncomingMessage, err: Exception) -> None:
        attempt = int((msg.headers or {}).get("x-attempt", 0)) + 1
        headers = {**(msg.headers or {}), "x-attempt": attempt, "x-last-error": str(err)[:200],
                   "x-party": party}
        if attempt >= self.max_attempts:
            log.warning("dead-lettering %s for %s after %d attempts: %s", msg.message_id, party, attempt, err)
            await self.channel.default_exchange.publish(
                aio_pika.Message(msg.body, message_id=msg.message_id, correlation_id=msg.correlation_id,
                                 reply_to=msg.reply_to, headers=headers, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=f"{self.prefix}.dead")
            return
        log.info("retrying %s for %s (attempt %d): %s", msg.message_id, party, attempt, err)
        retry = aio_pika.Message(msg.body, message_id=msg.message_id, correlation_id=msg.correlation_id,
                                 reply_to=msg.reply_to, headers=headers,
                                 expiration=self.retry_base * 2 ** (attempt - 1),
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        # Routed under the party's key, so expiry returns it to the party's queue.
        await self._retry_exchange.publish(retry, routing_key=party)

    async def dead_letters(self, limit: int = 100) -> list[AbstractIncomingMessage]:
        """Peek messages resting in the dead-letter queue (they are returned unacked, so they stay)."""
        q = await self.channel.declare_queue(f"{self.prefix}.dead", durable=True)
        out = []
        for _ in range(limit):
            m = await q.get(no_ack=False, fail=False)
            if m is None:
                break
            out.append(m)
        for m in out:
            await m.nack(requeue=True)
        return out
