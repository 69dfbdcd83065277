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

# How each partner's interface works, as the monitor says it.
INTERFACE_KINDS = {"query": "查询接口", "push": "推送接口", "receive": "接收接口", "two-way": "双向接口",
                   "call": "调用接口"}

# Every message type of every interface, in Chinese (the adapters' T_* codes). A reply to a request
# has the request's type + ".reply".
MESSAGE_TYPES: dict[str, str] = {
    "property.query": "房屋产权查询",
    "income.query": "收入纳税查询",
    "insurance.status": "社保缴纳查询",
    "hukou.query": "户籍信息查询",
    "identity.check": "身份信息核验",
    "civil.status": "婚姻低保查询",
    "legal_rep.query": "企业法人查询",
    "vehicle.query": "车辆信息查询",
    "case.accepted": "受理业务推送",
    "case.result": "办理结果反馈",
    "report.units": "房源数据上报",
    "report.beneficiaries": "保障对象数据上报",
    "report.leases": "租赁合同数据上报",
    "collection.order": "收款指令",
    "payment.result": "缴款结果",
    "statement.query": "收款账户流水查询",
    "statement.lines": "收款账户流水",
    "withholding.instruction": "代扣指令",
    "withholding.result": "代扣结果",
    "receipt.issue": "电子票据开具",
    "rent.collection": "租金收缴数据推送",
    "community.beneficiaries": "保障对象信息同步",
    "community.units": "房源信息同步",
    "access.events": "门禁通行记录",
    "chain.sign": "链签署",
    "chain.pay": "链支付",
    "chain.share": "链共享",
    "unit_table.query": "楼盘表查询",
    "sale_contract.new": "新建商品房买卖合同",
    "sale_contract.second_hand": "存量房买卖合同",
    "lease.filing": "租赁合同备案",
    "audit.anchor": "审计链锚点存证",
    "timestamp.receipt": "时间戳回执",
}
REPLY_SUFFIX = ".reply"


def partner_name(code: str) -> str:
    p = PARTNERS.get(code)
    return p.name if p else code


def type_name(code: str) -> str:
    """The Chinese name of a message type; an unregistered code is shown as it is."""
    if code in MESSAGE_TYPES:
        return MESSAGE_TYPES[code]
    if code.endswith(REPLY_SUFFIX) and code[:-len(REPLY_SUFFIX)] in MESSAGE_TYPES:
        return MESSAGE_TYPES[code[:-len(REPLY_SUFFIX)]] + "应答"
    return code
