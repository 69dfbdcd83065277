"""Secure exchange with partner systems: the envelope, RabbitMQ transport, outbox/inbox, one adapter per partner."""
