"""One adapter per partner interface (INT-01 … INT-16, REA-01 … REA-04).

Each module has typed request/response models and the async functions the domains call. The
inbox validates partner pushes with `inbound_model(partner, type)`.
"""
from __future__ import annotations

from pydantic import BaseModel

from exchange.partners import BANKS

from . import (
    access_control,
    accounting,
    banks,
    civil_affairs,
    e_receipt,
    gov_service_platform,
    housing_chain_sign,
    market_regulation,
    mohurd,
    police,
    real_estate_registry,
    real_estate_trading,
    smart_community,
    social_insurance,
    tax,
    vehicle,
)

INBOUND: dict[tuple[str, str], type[BaseModel]] = {
    (gov_service_platform.PARTNER, gov_service_platform.T_CASE_ACCEPTED): gov_service_platform.AcceptedCase,
    (access_control.PARTNER, access_control.T_ACCESS_EVENTS): access_control.AccessEvents,
    (real_estate_trading.PARTNER, real_estate_trading.T_SALE_CONTRACT_NEW): real_estate_trading.SaleContract,
    (real_estate_trading.PARTNER, real_estate_trading.T_SALE_CONTRACT_SECOND_HAND): real_estate_trading.SaleContract,
    **{(bank, banks.T_PAYMENT_RESULT): banks.PaymentResult for bank in BANKS},
    **{(bank, banks.T_STATEMENT_LINES): banks.StatementLines for bank in BANKS},
    **{(bank, banks.T_WITHHOLDING_RESULT): banks.WithholdingResult for bank in BANKS},
}


def inbound_model(partner: str, type_: str) -> type[BaseModel] | None:
    """The model a partner's push of this type must fit, or None when the partner may not push it."""
    return INBOUND.get((partner, type_))


__all__ = [
    "INBOUND", "access_control", "accounting", "banks", "civil_affairs", "e_receipt", "gov_service_platform",
    "housing_chain_sign", "inbound_model", "market_regulation", "mohurd", "police", "real_estate_registry",
    "real_estate_trading", "smart_community", "social_insurance", "tax", "vehicle",
]
