"""Default rule sets for Jiangmen ARH, as data, for the seed to load and admins to edit.

The requirements ask for configurable application conditions, benefit standards
and publicity rules (1.1.6.1.19), waitlist scoring (1.1.6.1.9.1) and a rent
deviation alert (1.1.6.1.12.5); they state no figures. Every threshold below
(income line, 6 months of social insurance, the points, the rent bands, the
±10% alert band) is a placeholder for the bureau to set.
Money is int fen: 600000 fen = 6000.00 元.
"""
from __future__ import annotations

import datetime as dt

from app.rules.ruleset import CONDITION, SCORING, STANDARD, Input, Rule, RuleSet

APPLICATION_CONDITIONS = RuleSet(
    name="eligibility.application_condition",
    title="保障性租赁住房申请条件",
    version=1,
    kind=CONDITION,
    inputs=(
        Input("applicant_birth_date", "date", "申请人出生日期", dt.date(1998, 3, 15)),
        Input("application_date", "date", "申请日期", dt.date(2026, 11, 26)),
        Input("has_local_hukou", "bool", "申请人是否江门市户籍", False),
        Input("member_property_counts", "list<int>", "申请人及共同申请人在江门市名下住房套数（不动产登记）", [0, 0]),
        Input("household_size", "int", "家庭人口数", 2),
        Input("household_monthly_income_fen", "int", "家庭月收入（分）", 800000),
        Input("social_insurance_months", "int", "在江门市连续缴纳社会保险月数", 12),
        Input("is_current_beneficiary", "bool", "是否已享受住房保障", False),
    ),
    rules=(
        Rule("adult", "申请人已满 18 周岁",
             "age(applicant_birth_date, application_date) >= 18",
             failure_message="申请人申请时未满 18 周岁"),
        Rule("no_property", "家庭在江门市无自有住房",
             "member_property_counts.all(n, n == 0)",
             failure_message="申请人或共同申请人在江门市名下有住房"),
        Rule("income_below_line", "家庭人均月收入低于 6000 元",
             "household_size > 0 && household_monthly_income_fen / household_size < 600000",
             failure_message="家庭人均月收入不低于 6000.00 元"),
        Rule("social_insurance", "非本市户籍须连续缴纳社保满 6 个月",
             "has_local_hukou || social_insurance_months >= 6",
             failure_message="非江门市户籍申请人在本市连续缴纳社会保险不满 6 个月"),
        Rule("not_beneficiary", "未享受其他住房保障",
             "!is_current_beneficiary",
             failure_message="申请人已享受住房保障，不能重复申请"),
    ),
)

WAITLIST_SCORING = RuleSet(
    name="allocation.scoring_rule",
    title="轮候计分规则",
    version=1,
    kind=SCORING,
    inputs=(
        Input("waitlist_months", "int", "已轮候月数", 10),
        Input("household_size", "int", "家庭人口数", 3),
        Input("social_insurance_months", "int", "在江门市累计缴纳社会保险月数", 30),
        Input("priority_groups", "list<string>", "所属优先群体", ["环卫工人"]),
    ),
    rules=(
        Rule("waiting_time", "轮候时间：每满 1 个月 1 分，最高 36 分",
             "waitlist_months >= 36 ? 36 : (waitlist_months < 0 ? 0 : waitlist_months)", "int"),
        Rule("household", "家庭人口：每人 3 分，最高 12 分",
             "household_size >= 4 ? 12 : household_size * 3", "int"),
        Rule("social_insurance", "本市社保：每满 6 个月 1 分，最高 10 分",
             "social_insurance_months >= 60 ? 10 : social_insurance_months / 6", "int"),
        Rule("priority_group", "优先群体（优抚对象、消防救援人员、环卫工人、公交司机）：20 分",
             "priority_groups.exists(g, g in ['优抚对象', '消防救援人员', '环卫工人', '公交司机']) ? 20 : 0", "int"),
    ),
)

RENT_STANDARD = RuleSet(
    name="eligibility.benefit_standard",
    title="租金标准（按家庭人均月收入分档）",
    version=1,
    kind=STANDARD,
    inputs=(
        Input("household_size", "int", "家庭人口数", 2),
        Input("household_monthly_income_fen", "int", "家庭月收入（分）", 800000),
        Input("market_rent_fen", "int", "同地段同类住房市场月租金（分）", 150000),
    ),
    rules=(
        Rule("rent_percent", "租金占同地段市场租金的百分比",
             "household_monthly_income_fen / household_size < 300000 ? 70"
             " : (household_monthly_income_fen / household_size < 450000 ? 80 : 90)", "int"),
        Rule("deposit_months", "押金月数",
             "household_monthly_income_fen / household_size < 300000 ? 1 : 2", "int"),
        Rule("monthly_rent_fen", "月租金（分，取整到元）",
             "market_rent_fen * rent_percent / 100 / 100 * 100", "int"),
        Rule("deposit_fen", "押金（分）", "monthly_rent_fen * deposit_months", "int"),
    ),
)

RENT_ALERT = RuleSet(
    name="supervision.rent_alert",
    title="租金异常浮动预警标准（1.1.6.1.12.5）",
    version=1,
    kind=CONDITION,
    inputs=(
        Input("contract_rent_fen", "int", "合同月租金（分）", 120000),
        Input("standard_rent_fen", "int", "按保障标准计算的月租金（分）", 122600),
    ),
    rules=(
        Rule("not_below", "不低于标准租金的 90%", "contract_rent_fen * 100 >= standard_rent_fen * 90",
             failure_message="合同租金低于标准租金的 90%"),
        Rule("not_above", "不高于标准租金的 110%", "contract_rent_fen * 100 <= standard_rent_fen * 110",
             failure_message="合同租金高于标准租金的 110%"),
    ),
)

ALL = (APPLICATION_CONDITIONS, WAITLIST_SCORING, RENT_STANDARD, RENT_ALERT)
