"""Request models for stored rule sets. The engine (ruleset.py) checks meaning; these check shape."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _district():  # noqa: ANN202
    return Field(None, min_length=6, max_length=6, pattern=r"^\d{6}$",
                 description="所属区（市）代码，如 440703 蓬江区；不填为全市规则。区（市）启用的版本对本区业务优先于全市规则")


class InputOption(_In):
    value: Any = Field(description="取值（按输入的类型），如 new_build")
    label: str = Field(min_length=1, max_length=64, description="中文名称，如 新建；试算时按名称选择")


class InputDef(_In):
    name: str = Field(min_length=1, max_length=63, description="输入名：小写字母开头，只含小写字母、数字和下划线")
    type: str = Field(min_length=1, max_length=64,
                      description="类型：int, double, string, bool, date, timestamp, dyn, list<T>, map<string,T>, map")
    title: str = Field("", max_length=128, description="说明（中文）")
    sample: Any = Field(None, description="示例值：保存时用它试算；不填则按类型取默认值")
    options: list[InputOption] | None = Field(None, max_length=100,
                                              description="可选值（枚举）：填写时只能取其中之一，试算时从下拉列表选择")


class RuleDef(_In):
    code: str = Field(min_length=1, max_length=63, description="规则编码（标准规则可被后面的规则按编码引用）")
    title: str = Field("", max_length=128, description="规则名称")
    expression: str = Field(min_length=1, max_length=4000, description="CEL 表达式")
    result_type: str = Field("bool", max_length=16, description="结果类型：条件规则 bool；计分、标准规则 int 或 double")
    failure_message: str = Field("", max_length=255, description="条件规则不符合时的提示")


class Definition(_In):
    name: str | None = Field(None, max_length=64, description="忽略：以路径中的编码为准")
    version: int | None = Field(None, description="忽略：保存时自动取下一个版本号")
    kind: str = Field(min_length=1, max_length=16, description="类型：condition 条件，scoring 计分，standard 标准")
    title: str = Field(min_length=1, max_length=128, description="规则集名称")
    inputs: list[InputDef] = Field(default_factory=list, max_length=100, description="输入")
    rules: list[RuleDef] = Field(default_factory=list, max_length=200, description="规则，按顺序执行")


class RuleSetCreate(_In):
    key: str = Field(min_length=1, max_length=64, pattern=KEY_PATTERN,
                     description="规则集编码，如 eligibility.application_condition；创建后不能修改。"
                                 "区（市）规则集用全市规则集的编码")
    district_code: str | None = _district()
    definition: Definition
    note: str | None = Field(None, max_length=255, description="版本说明")


class RuleSetSave(_In):
    district_code: str | None = _district()
    definition: Definition
    note: str | None = Field(None, max_length=255, description="版本说明")


class ValidateIn(_In):
    definition: Definition


class TryIn(_In):
    inputs: dict[str, Any] = Field(default_factory=dict, description="各输入的值，按输入名；日期写 2026-11-26")
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="试算哪个版本；不填为最新版本")
    definition: Definition | None = Field(None, description="试算尚未保存的草稿；填写时忽略 version")
    district_code: str | None = _district()


class EnableIn(_In):
    enabled: bool = Field(description="true 启用，false 停用")
    district_code: str | None = _district()
