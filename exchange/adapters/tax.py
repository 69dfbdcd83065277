"""INT-02 税务: income and tax paid, month by month."""
from __future__ import annotations

from pydantic import Field

from exchange.client import ExchangeClient, PartnerError

from .base import DEFAULT_TIMEOUT, Fen, IdNumber, Message, Month, Reply, call

PARTNER = "tax"
T_INCOME_QUERY = "income.query"


class IncomeQuery(Message):
    id_number: IdNumber
    months: int = Field(12, ge=1, le=36, description="查询最近几个月（不含当月）")


class MonthlyIncome(Reply):
    month: Month
    income_fen: Fen = Field(description="当月收入额（分）")
    tax_fen: Fen = Field(description="当月已缴个人所得税（分）")
    withholding_agent: str | None = Field(None, description="扣缴义务人")


class IncomeResult(Reply):
    id_number: str
    months: list[MonthlyIncome] = Field(description="按月份升序；没有申报的月份不列出")

    @property
    def total_income_fen(self) -> int:
        return sum(m.income_fen for m in self.months)

    @property
    def total_tax_fen(self) -> int:
        return sum(m.tax_fen for m in self.months)

    def average_monthly_income_fen(self, over_months: int) -> int:
        """Average over the whole period asked, counting months without income as zero."""
        return self.total_income_fen // over_months if over_months else 0


async def income(client: ExchangeClient, id_number: str, months: int = 12, *,
                 timeout: float = DEFAULT_TIMEOUT, business_no: str | None = None) -> IncomeResult:
    query = IncomeQuery(id_number=id_number, months=months)
    result = await call(client, PARTNER, T_INCOME_QUERY, query, IncomeResult, timeout=timeout,
                        business_no=business_no)
    if result.id_number != query.id_number or len(result.months) > months:
        raise PartnerError("BAD_RESPONSE", "税务系统返回的数据与查询不一致")
    return result
