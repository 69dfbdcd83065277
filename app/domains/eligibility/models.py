"""Eligibility's tortoise models (none yet). A model here is picked up by the ORM because the
DOMAIN names this module; its table comes with a migration in app/migrations."""
from __future__ import annotations
