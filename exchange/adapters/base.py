"""What every partner adapter shares: model bases, field types, the request call and the outbox push.

Domains call the adapter functions and get typed results or one of the client's typed errors
(ExchangeTimeout, ExchangeRejected, PartnerError); they never build envelopes. A reply whose data
does not fit the adapter's response model is the partner's fault: PartnerError("BAD_RESPONSE").
"""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.config import get_settings
from app.core.idcard import id_number_error, normalize_id_number
from exchange.client import ExchangeClient, PartnerError
from exchange.partners import PARTNERS

DEFAULT_TIMEOUT = get_settings().exchange_timeout_seconds  # EXCHANGE_TIMEOUT_SECONDS
M = TypeVar("M", bound=BaseModel)


class Message(BaseModel):
    """What we send: unknown fields are our bug, so they are refused."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Reply(BaseModel):
    """What a partner sends: fields we do not know are ignored, so a partner can add to its interface."""
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _valid_id_number(v: str) -> str:
    v = normalize_id_number(v)
    err = id_number_error(v)
    if err:
        raise ValueError(err)
    return v


IdNumber = Annotated[str, AfterValidator(_valid_id_number)]
"""A GB 11643 citizen ID number, checked (region, birth date, check digit) and upper-cased."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Fen = Annotated[int, Field(ge=0, description="金额（分）")]
Area = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2, description="面积（平方米）")]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
CreditCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")]
"""统一社会信用代码 (GB 32100): 18 characters from the code's own alphabet."""


class PersonRef(Message):
    name: Name
    id_number: IdNumber


class Party(Reply):
    """A person or organisation as a partner names it. Organisations carry a credit code."""
    name: str
    id_number: str


def _reply_model(partner: str, model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        name = PARTNERS[partner].name if partner in PARTNERS else partner
        raise PartnerError("BAD_RESPONSE", f"{name}返回的数据格式不正确") from e


async def call(client: ExchangeClient, partner: str, type_: str, request: Message, model: type[M], *,
               timeout: float = DEFAULT_TIMEOUT, business_no: str | None = None) -> M:
    """Send `request` to the partner, wait for its sealed reply and validate the reply's data."""
    data = await client.request(partner, type_, request.model_dump(mode="json"), timeout=timeout,
                                business_no=business_no)
    return _reply_model(partner, model, data)


def parse_inbound(partner: str, model: type[M], body: Any) -> M:
    """Validate an inbound push; a malformed one is the partner's fault, as for a reply."""
    return _reply_model(partner, model, body)


async def push(tx: Any, partner: str, type_: str, message: Message, *, business_no: str | None = None) -> Any:
    """Queue a push to a partner in the caller's transaction (outbox); the relay delivers it."""
    # Imported here: the outbox pulls in the database models, and the sandbox imports the adapters'
    # message models without a database.
    from exchange import outbox
    return await outbox.enqueue(tx, partner, type_, message.model_dump(mode="json"), business_no=business_no)


def check_persons_answered(partner: str, asked: list[str], answered: list[str]) -> None:
    """A query about several people must answer for each of them, and only them."""
    if sorted(asked) != sorted(answered):
        name = PARTNERS[partner].name
        raise PartnerError("BAD_RESPONSE", f"{name}返回的人员与查询的人员不一致")
