"""The partner systems the platform exchanges data with (spec 1.1.4–1.1.6.7)."""
from __future__ import annotations

from dataclasses import dataclass

PLATFORM = "arh"


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    feature: str
    direction: str  # query | push | receive | two-way | call


PARTNERS: dict[str, Partner] = {p.code: p for p in [
    Partner("real_estate_registry", "不动产登记", "INT-01", "query"),
    Partner("tax", "税务", "INT-02", "query"),
    Partner("social_insurance", "社保", "INT-03", "query"),
    Partner("police", "公安", "INT-04", "query"),
    Partner("civil_affairs", "民政", "INT-05", "query"),
    Partner("market_regulation", "市场监督", "INT-06", "query"),
    Partner("vehicle", "车辆管理", "INT-07", "query"),
    Partner("gov_service_platform", "江门市政务一体化平台", "INT-08", "two-way"),
    Partner("mohurd", "住建部数据上报", "INT-09", "push"),
    Partner("bank_icbc", "工商银行", "INT-10", "two-way"),
    Partner("bank_abc", "农业银行", "INT-10", "two-way"),
    Partner("bank_boc", "中国银行", "INT-10", "two-way"),
    Partner("bank_ccb", "建设银行", "INT-10", "two-way"),
    Partner("bank_rcc", "农村信用社", "INT-10", "two-way"),
    Partner("e_receipt", "电子票据", "INT-11", "two-way"),
    Partner("accounting", "会计系统", "INT-12", "push"),
    Partner("smart_community", "智慧社区", "INT-13", "push"),
    Partner("access_control", "门禁监控", "INT-14", "receive"),
    Partner("housing_chain_sign", "住房云链签", "INT-16", "call"),
    Partner("real_estate_trading", "房地产交易系统", "REA", "two-way"),
    Partner("timestamp", "可信时间戳服务", "AUDIT", "two-way"),  # audit chain anchors (issue 10)
]}
BANKS = ("bank_icbc", "bank_abc", "bank_boc", "bank_ccb", "bank_rcc")
