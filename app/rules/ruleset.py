"""Rule sets: named, versioned groups of CEL rules over typed inputs.

Three kinds, by what their rules return and how results combine:
  condition  every rule returns bool; the verdict passes when all pass  (申请条件, 公示规则, 预警条件)
  scoring    every rule returns int or double; the score is their sum  (计分规则)
  standard   every rule returns int or double; each is a named value   (保障标准)
             and a later rule may read an earlier one by its code (rent = market rent x percent)

A `Decision` records the rule set's name and version, each rule's expression,
the inputs it read, its result and pass/fail, and the outcome. It is plain
JSON so it can be stored with a case and shown to a clerk later.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Mapping

from celpy import celtypes

from app.core.errors import InvalidInput
from app.rules import cel
from app.rules.cel import CelError, CelType

CONDITION, SCORING, STANDARD = "condition", "scoring", "standard"
KINDS = {CONDITION: "条件", SCORING: "计分", STANDARD: "标准"}
_RESULT_TYPES_BY_KIND = {CONDITION: ("bool",), SCORING: ("int", "double"), STANDARD: ("int", "double")}

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# CEL reserved words (spec) and celpy's own names; an input called `int` would shadow nothing useful.
_RESERVED = {
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
    "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    "google",
} | cel.FUNCTIONS

# Trial values for `validate()` when an input declares no sample.
_DEFAULT_SAMPLES = {
    "int": 1, "double": 1.0, "string": "示例", "bool": True,
    "date": dt.date(2000, 1, 1), "timestamp": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "dyn": 1,
}


def default_sample(t: CelType) -> Any:
    if t.name == "list":
        return [default_sample(t.arg)]
    if t.name == "map":
        return {}
    return _DEFAULT_SAMPLES[t.name]


@dataclass(frozen=True)
class Input:
    name: str
    type: str
    title: str = ""
    sample: Any = None  # used by validate()'s trial run; defaults by type when None
    # An enumerated input: the values it may take, each with the Chinese label a clerk picks from
    # ([{"value": "new_build", "label": "新建"}, …]); a value outside the list is refused.
    options: tuple[dict, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(dict(o) for o in (self.options or ())))

    @cached_property
    def cel_type(self) -> CelType:
        return cel.parse_type(self.type)


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    expression: str
    result_type: str = "bool"
    failure_message: str = ""  # conditions: shown to the clerk and applicant when the rule fails


@dataclass(frozen=True)
class Problem:
    rule: str | None  # rule code, or None for a problem with the rule set itself
    kind: str          # a cel kind (syntax, unknown_variable, ...) or "definition"
    message: str


@dataclass
class Outcome:
    code: str
    title: str
    expression: str
    inputs: dict[str, Any]
    result: Any = None
    passed: bool | None = None  # conditions only
    message: str = ""           # the failure message, or what went wrong
    error: bool = False


@dataclass
class Decision:
    rule_set: str
    version: int
    kind: str
    outcomes: list[Outcome]
    verdict: bool | None = None               # condition
    total: int | float | None = None          # scoring
    values: dict[str, Any] | None = None      # standard
    scope: str = "city"                       # whose rule set applied: city | district
    district_code: str | None = None          # the district, when its own rule set applied

    @property
    def reasons(self) -> list[str]:
        """Why a condition decision failed, one line per failed rule, in Chinese."""
        return [o.message for o in self.outcomes if o.passed is False]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Decision":
        d = dict(data)
        d["outcomes"] = [Outcome(**o) for o in d["outcomes"]]
        return cls(**d)


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: int
    kind: str
    inputs: tuple[Input, ...]
    rules: tuple[Rule, ...]
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "rules", tuple(self.rules))

    # ------------------------------------------------------------ definition

    @cached_property
    def types(self) -> dict[str, CelType]:
        out = {}
        for i in self.inputs:
            try:
                out[i.name] = i.cel_type
            except CelError:
                pass
        return out

    def _definition_problems(self) -> list[Problem]:
        p: list[Problem] = []
        if self.kind not in KINDS:
            p.append(Problem(None, "definition", f"规则集类型应为 {'、'.join(KINDS)} 之一"))
        if not isinstance(self.version, int) or self.version < 1:
            p.append(Problem(None, "definition", "版本号应为正整数"))
        seen: set[str] = set()
        for i in self.inputs:
            if not _NAME.match(i.name or "") or i.name in _RESERVED:
                p.append(Problem(None, "definition",
                                 f"输入名“{i.name}”不合法：应以小写字母开头，只含小写字母、数字和下划线，且不能是保留字"))
            if i.name in seen:
                p.append(Problem(None, "definition", f"输入名“{i.name}”重复"))
            seen.add(i.name)
            try:
                i.cel_type
            except CelError as e:
                p.append(Problem(None, "definition", f"输入“{i.name}”：{e.message}"))
            else:
                p += self._option_problems(i)
        if not self.rules:
            p.append(Problem(None, "definition", "规则集至少要有一条规则"))
        codes: set[str] = set()
        for r in self.rules:
            if not _NAME.match(r.code or ""):
                p.append(Problem(r.code, "definition", f"规则编码“{r.code}”不合法：应以小写字母开头，只含小写字母、数字和下划线"))
            if r.code in codes:
                p.append(Problem(r.code, "definition", f"规则编码“{r.code}”重复"))
            codes.add(r.code)
            if not (r.title or "").strip():
                p.append(Problem(r.code, "definition", "规则名称不能为空"))
            allowed = _RESULT_TYPES_BY_KIND.get(self.kind, ())
            if r.result_type not in allowed:
                want = "、".join(cel.TYPE_ZH[t] for t in allowed) or "—"
                p.append(Problem(r.code, "definition", f"{KINDS.get(self.kind, self.kind)}规则的结果类型应为{want}"))
            if self.kind == STANDARD and (r.code in self.types or r.code in _RESERVED):
                p.append(Problem(r.code, "definition", f"规则编码“{r.code}”与输入名或保留字重名（标准规则的编码可被后面的规则引用）"))
            if self.kind == CONDITION and not (r.failure_message or "").strip():
                p.append(Problem(r.code, "definition", "条件规则必须填写不符合时的提示"))
        return p

    @staticmethod
    def _option_problems(i: Input) -> list[Problem]:
        if not i.options:
            return []
        out, seen = [], []
        for o in i.options:
            if not isinstance(o, dict) or set(o) - {"value", "label"} or not str(o.get("label") or "").strip():
                out.append(Problem(None, "definition", f"输入“{i.name}”的可选值应写成 值 + 中文名称"))
                continue
            try:
                cel.to_cel(o.get("value"), i.cel_type, i.name)
            except CelError as e:
                out.append(Problem(None, "definition", f"输入“{i.name}”的可选值“{o.get('label')}”有误：{e.message}"))
                continue
            if o["value"] in seen:
                out.append(Problem(None, "definition", f"输入“{i.name}”的可选值重复：{o['value']}"))
            seen.append(o["value"])
        if not out and i.sample is not None and i.sample not in seen:
            out.append(Problem(None, "definition", f"输入“{i.name}”的示例值应为可选值之一"))
        return out

    def _names_for(self, index: int) -> set[str]:
        """What rule `index` may read: the inputs, and in a standard also the earlier rules' codes."""
        names = set(self.types)
        if self.kind == STANDARD:
            names |= {r.code for r in self.rules[:index]}
        return names

    @cached_property
    def _programs(self) -> dict[str, cel.Program | CelError]:
        out: dict[str, cel.Program | CelError] = {}
        for index, r in enumerate(self.rules):
            try:
                out[r.code] = cel.compile_expression(r.expression, self._names_for(index))
            except CelError as e:
                out[r.code] = e
        return out

    def _earlier(self, rule: Rule) -> dict[str, Rule]:
        """Earlier rules this (standard) rule reads, by code."""
        prog = self._programs[rule.code]
        codes = {r.code: r for r in self.rules}
        return {v: codes[v] for v in prog.variables if v in codes and v not in self.types} \
            if isinstance(prog, cel.Program) else {}

    def validate(self) -> list[Problem]:
        """Every problem in the rule set: definition, then per rule compile, unknown inputs,
        and a trial run on sample values (result type, type mismatches, evaluation errors)."""
        return list(self._problems)

    @cached_property
    def _problems(self) -> tuple[Problem, ...]:
        problems = self._definition_problems()
        samples: dict[str, Any] = {}
        for i in self.inputs:
            if i.name not in self.types:
                continue
            value = i.sample if i.sample is not None else default_sample(self.types[i.name])
            try:
                samples[i.name] = cel.to_cel(value, self.types[i.name], i.name)
            except CelError as e:
                problems.append(Problem(None, "definition", f"输入“{i.name}”的示例值有误：{e.message}"))
        # A second trial with every bool flipped reaches the other branch of `c ? x : y`, `&&`, `||`;
        # from it only type errors count, since its data is not a sample anyone chose.
        flipped = {k: celtypes.BoolType(not v) if isinstance(v, celtypes.BoolType) else v
                   for k, v in samples.items()}
        for r in self.rules:
            prog = self._programs[r.code]
            if isinstance(prog, CelError):
                problems.append(Problem(r.code, prog.kind, prog.message))
                continue
            if any(v not in samples for v in prog.variables):
                continue  # an input's or an earlier rule's own problem is already reported
            if r.result_type not in cel.RESULT_TYPES:
                continue
            try:
                result = cel.check_result(prog.evaluate({v: samples[v] for v in prog.variables}), r.result_type)
                if self.kind == STANDARD and r.code not in self.types:
                    samples[r.code] = flipped[r.code] = cel.to_cel(result, r.result_type, r.code)
            except CelError as e:
                msg = e.message if e.kind == cel.RESULT_TYPE else f"用示例值试算时出错：{e.message}"
                problems.append(Problem(r.code, e.kind, msg))
                continue
            try:
                cel.check_result(prog.evaluate({v: flipped[v] for v in prog.variables}), r.result_type)
            except CelError as e:
                if e.kind in (cel.RESULT_TYPE, cel.TYPE_MISMATCH):
                    problems.append(Problem(r.code, e.kind, f"条件取反试算时：{e.message}"))
        return tuple(problems)

    def check(self) -> None:
        """Raise InvalidInput listing every problem, keyed by rule code (or `rule_set`)."""
        problems = self.validate()
        if problems:
            fields: dict[str, str] = {}
            for pr in problems:
                key = pr.rule or "rule_set"
                fields[key] = f"{fields[key]}；{pr.message}" if key in fields else pr.message
            raise InvalidInput(f"规则集“{self.title or self.name}”有 {len(problems)} 处问题", code="RULESET_INVALID",
                               fields=fields)

    # ------------------------------------------------------------ running

    def _activation(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Convert the inputs the rules read; report every missing or mistyped one at once."""
        self.check()
        used = set().union(*(p.variables for p in self._programs.values())) & set(self.types)
        act, fields = {}, {}
        by_name = {i.name: i for i in self.inputs}
        for name in sorted(used):
            allowed = by_name[name].options
            if allowed and inputs.get(name) not in [o["value"] for o in allowed]:
                labels = "、".join(str(o["label"]) for o in allowed)
                fields[name] = f"“{by_name[name].title or name}”应为以下之一：{labels}"
                continue
            try:
                act[name] = cel.to_cel(inputs.get(name), self.types[name], name)
            except CelError as e:
                fields[name] = e.message
        if fields:
            raise InvalidInput("规则输入有误：" + "；".join(fields.values()), code="RULE_INPUT", fields=fields)
        return act

    def _run(self, rule: Rule, act: Mapping[str, Any], inputs: Mapping[str, Any],
             earlier: Mapping[str, Any] | None = None) -> Outcome:
        prog = self._programs[rule.code]
        assert isinstance(prog, cel.Program)
        earlier = earlier or {}
        refs = self._earlier(rule)
        used = {v: cel.to_json(earlier[v] if v in refs else inputs.get(v)) for v in sorted(prog.variables)}
        out = Outcome(rule.code, rule.title, rule.expression, used)
        env = dict(act)
        env.update({code: cel.to_cel(earlier[code], r.result_type, code) for code, r in refs.items()})
        try:
            out.result = cel.check_result(prog.evaluate({v: env[v] for v in prog.variables}), rule.result_type)
        except CelError as e:
            out.error, out.message = True, f"规则“{rule.title}”：{e.message}"
        return out

    def _require(self, kind: str) -> None:
        if self.kind != kind:
            raise InvalidInput(f"规则集“{self.name}”是{KINDS.get(self.kind, self.kind)}规则集，不能用于{KINDS[kind]}",
                               code="RULESET_KIND")

    def decide(self, inputs: Mapping[str, Any]) -> Decision:
        """Evaluate every condition. A rule that errors counts as failed, with the error as message."""
        self._require(CONDITION)
        act = self._activation(inputs)
        outcomes = []
        for r in self.rules:
            o = self._run(r, act, inputs)
            o.passed = (o.result is True) and not o.error
            if not o.passed and not o.error:
                o.message = r.failure_message
            outcomes.append(o)
        return Decision(self.name, self.version, self.kind, outcomes, verdict=all(o.passed for o in outcomes))

    def _values(self, kind: str, inputs: Mapping[str, Any]) -> tuple[list[Outcome], dict[str, Any]]:
        self._require(kind)
        act = self._activation(inputs)
        outcomes, values = [], {}
        for r in self.rules:
            o = self._run(r, act, inputs, values)
            if o.error:
                raise CelError(cel.EVALUATION, o.message, fields={o.code: o.message})
            outcomes.append(o)
            values[o.code] = o.result
        return outcomes, values

    def score(self, inputs: Mapping[str, Any]) -> Decision:
        """Sum of the rules' results; each contribution is recorded. Raises CelError if a rule errors."""
        outcomes, values = self._values(SCORING, inputs)
        return Decision(self.name, self.version, self.kind, outcomes, total=sum(values.values()), values=values)

    def compute(self, inputs: Mapping[str, Any]) -> Decision:
        """Each rule's value by code (a benefit standard). Raises CelError if a rule errors."""
        outcomes, values = self._values(STANDARD, inputs)
        return Decision(self.name, self.version, self.kind, outcomes, values=values)

    def run(self, inputs: Mapping[str, Any]) -> Decision:
        """decide, score or compute, by kind (the admin's "try with sample input")."""
        return {CONDITION: self.decide, SCORING: self.score, STANDARD: self.compute}[self.kind](inputs)

    # ------------------------------------------------------------ storage

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "kind": self.kind, "title": self.title,
            "inputs": [{"name": i.name, "type": i.type, "title": i.title, "sample": cel.to_json(i.sample),
                        **({"options": [dict(o) for o in i.options]} if i.options else {})}
                       for i in self.inputs],
            "rules": [asdict(r) for r in self.rules],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RuleSet":
        return cls(
            name=data["name"], version=data["version"], kind=data["kind"], title=data.get("title", ""),
            inputs=tuple(Input(**i) for i in data.get("inputs", [])),
            rules=tuple(Rule(**r) for r in data.get("rules", [])),
        )
