"""Eligibility's data-scope rules, registered on import with app.identity.scope.register.

None yet: the domain has no rows. Its first model registers here who may read and write which
of its rows (gov by district, operators by community, a person their own); an unregistered model
is refused by app.identity.scope (fail closed).
"""
from __future__ import annotations
