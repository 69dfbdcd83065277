"""`python -m app.relay`: the exchange relay process (exchange/relay.py) with every inbox handler.

The process entry lives here, at the top with the server and the worker, because it wires in
handlers from above exchange (the audit anchor's timestamp receipts); exchange itself imports
only app/core.
"""
from __future__ import annotations

import asyncio

from app import audit_anchor  # noqa: F401 - registers the timestamp receipt handler
from exchange import handlers  # noqa: F401 - registers the partner inbox handlers
from exchange.relay import main

if __name__ == "__main__":
    asyncio.run(main())
