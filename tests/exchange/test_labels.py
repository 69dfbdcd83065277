"""Every interface the exchange speaks has a Chinese name the monitor shows (issue 10 §5)."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import exchange.adapters
from app.api.exchange_monitor import ERRORS, error_text
from exchange.partners import INTERFACE_KINDS, MESSAGE_TYPES, PARTNERS, type_name

pytestmark = pytest.mark.feature("SYS-10")


def _adapter_types() -> dict[str, str]:
    found = {}
    for info in pkgutil.iter_modules(exchange.adapters.__path__):
        mod = importlib.import_module(f"exchange.adapters.{info.name}")
        for attr, value in vars(mod).items():
            if attr.startswith("T_") and isinstance(value, str):
                found[value] = f"{info.name}.{attr}"
    return found


@pytest.mark.feature("SYS-10", "INT-01", "INT-08", "INT-10", "INT-14", "INT-16")
def test_every_message_type_of_every_adapter_has_a_chinese_name():
    types = _adapter_types()
    assert len(types) >= 30 and "unit_table.query" in types and "access.events" in types
    missing = {t: where for t, where in types.items() if t not in MESSAGE_TYPES}
    assert not missing, f"message types without a Chinese name in exchange/partners.py: {missing}"
    for code, name in MESSAGE_TYPES.items():
        assert name and not any(c.isascii() and c.isalpha() for c in name), (code, name)
    assert type_name("unit_table.query") == "楼盘表查询" and type_name("access.events") == "门禁通行记录"
    assert type_name("unit_table.query.reply") == "楼盘表查询应答"
    assert type_name("no.such.type") == "no.such.type"  # shown as it is rather than hidden


def test_every_partner_has_a_chinese_name_and_interface_kind():
    for p in PARTNERS.values():
        assert p.name and not p.name.isascii(), p
        assert p.direction in INTERFACE_KINDS, p


@pytest.mark.parametrize("code,last_error,partner,status,expected", [
    ("SYSTEM_BUSY", "忙", "real_estate_trading", "failed", "房地产交易系统繁忙，暂时无法处理，请稍后再试"),
    ("TIMEOUT", "对方系统未在时限内应答", "tax", "failed", "税务系统未在规定时间内应答"),
    ("BAD_SIGNATURE", "报文签名验证失败", "access_control", "rejected", "报文签名验证未通过，可能被篡改或密钥不一致，已拒收"),
    ("SEND_FAILED", "报文封装失败：KeyError_ no data key k1 for accounting", "accounting", "dead",
     "报文封装失败：与会计系统的密钥不可用或已撤销，已转入死信，请排除原因后重新投递"),
    ("SEND_FAILED", "消息中间件拒收：NACK", "mohurd", "pending", "报文发送失败，系统将自动重试"),
    ("ACCOUNT_FROZEN", "账户已冻结", "bank_icbc", "failed", "工商银行系统返回错误：账户已冻结"),
    (None, None, "tax", "sent", None),
])
def test_errors_read_as_chinese_sentences_without_the_code(code, last_error, partner, status, expected):
    text = error_text(code, last_error, partner, status)
    assert text == expected
    if text and code:
        assert code not in text and "[" not in text and "KeyError" not in text


def test_every_error_has_a_short_label_and_a_sentence():
    for code, (short, sentence) in ERRORS.items():
        assert short and sentence and code not in sentence
