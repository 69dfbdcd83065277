"""Document tests run with the run's own e-seal CA (see support.py)."""
from __future__ import annotations

import pytest

from tests.integration.documents import support


@pytest.fixture(scope="session", autouse=True)
def seal_ca():
    return support.make_ca()
