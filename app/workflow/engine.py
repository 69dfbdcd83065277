"""The process engine: BPMN 2.0 processes run by SpiffWorkflow, conditions in CEL, no scripts.

Pure: no database, no HTTP. A case stores `Instance.to_dict()` in a JSONB column and the
process version it started on; the serialised instance carries its own spec, so a running
case keeps its version after an edited process is deployed.

BPMN conventions (see docs in app/workflow/README.md):
- one executable <process>; its id is the process key (the case type);
- every <userTask> is a step and declares, as spiffworkflow:properties,
  `role`, `scope`, `sla_days` (working days) and `actions` (comma separated);
- every <endEvent> declares `outcome` = completed | rejected;
- routing after a step is an exclusive gateway whose flows test `action` in CEL;
  `return_applicant` also sets `returned_from` = the step id, so the correction step's
  gateway can send the case back to where it was.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.core.errors import AppError, InvalidInput
from app.rules.cel import CelError, Program, check_result, compile_expression, to_cel

PROCESS_DIR = Path(__file__).parent / "processes"

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# Diagram interchange: layout only, never executed.
DI_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}

# Everything the engine will run. Anything else (script/service tasks, call activities,
# event definitions, subprocesses…) is refused at deploy, never half-supported.
ALLOWED_BPMN = {
    "definitions": "定义", "process": "流程", "collaboration": "协作", "participant": "参与者",
    "laneSet": "泳道集", "lane": "泳道", "childLaneSet": "子泳道集", "flowNodeRef": "泳道节点引用",
    "startEvent": "开始事件", "endEvent": "结束事件", "userTask": "用户任务",
    "exclusiveGateway": "排他网关", "parallelGateway": "并行网关",
    "sequenceFlow": "顺序流", "conditionExpression": "流转条件",
    "incoming": "流入", "outgoing": "流出", "documentation": "说明", "extensionElements": "扩展属性",
    "textAnnotation": "注释", "text": "注释文本", "association": "注释关联",
}
ALLOWED_SPIFF = {"properties", "property"}
ELEMENT_ZH = {
    "scriptTask": "脚本任务", "serviceTask": "服务任务", "businessRuleTask": "业务规则任务",
    "sendTask": "发送任务", "receiveTask": "接收任务", "manualTask": "人工任务", "task": "任务",
    "callActivity": "调用活动", "subProcess": "子流程", "transaction": "事务子流程",
    "boundaryEvent": "边界事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "inclusiveGateway": "包容网关",
    "eventBasedGateway": "事件网关", "complexGateway": "复杂网关", "timerEventDefinition": "定时事件定义",
    "messageEventDefinition": "消息事件定义", "signalEventDefinition": "信号事件定义",
    "errorEventDefinition": "错误事件定义", "terminateEventDefinition": "终止事件定义",
    "dataObject": "数据对象", "dataObjectReference": "数据对象引用", "script": "脚本",
    "preScript": "前置脚本", "postScript": "后置脚本", "multiInstanceLoopCharacteristics": "多实例",
    "standardLoopCharacteristics": "循环",
}

# Role codes a step may name. The case layer maps them onto org kind + position.
ROLES = {
    "applicant": "申请人（个人或单位，窗口受理时为受理人员）",
    "gov_clerk": "住建部门业务员",
    "gov_supervisor": "住建部门业务主管",
    "operator_clerk": "运营单位业务员",
    "operator_supervisor": "运营单位业务主管",
    "builder_clerk": "建设单位业务员",
    "builder_supervisor": "建设单位业务主管",
}
# Data scopes, as in app.identity.scope.
SCOPES = {"CITY": "全市", "DISTRICT": "本区", "ORG": "本单位", "SELF": "本人"}
# Actions that move a case along its flow. claim/transfer/comment/withdraw do not
# move the process and belong to the case layer.
ACTIONS = {
    "submit": "提交",
    "approve": "通过",
    "reject": "驳回",
    "return_previous": "退回上一步",
    "return_applicant": "退回申请人",
}
OUTCOMES = {"completed": "办结", "rejected": "驳回"}
BOOL_PROPS = {"true": True, "false": False}
RESERVED_VARS = ("action", "returned_from")
RETURN_PREVIOUS_COND = re.compile(r"""action\s*==\s*["']return_previous["']""")


class ProcessInvalid(InvalidInput):
    code, message = "PROCESS_INVALID", "流程定义有误"


class ConditionInvalid(InvalidInput):
    code, message = "CONDITION_INVALID", "流转条件不是合法的 CEL 表达式"


class ConditionFailed(AppError):
    status, code, message = 422, "CONDITION_FAILED", "流转条件计算失败"


class ScriptRefused(AppError):
    status, code, message = 422, "SCRIPT_REFUSED", "流程不允许执行脚本"


class ActionNotAllowed(AppError):
    status, code, message = 409, "ACTION_NOT_ALLOWED", "当前环节不允许此操作"


class ProcessStuck(AppError):
    status, code, message = 422, "PROCESS_STUCK", "流程无法继续流转，请检查流程定义"


# ---------------------------------------------------------------- CEL

def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0][:200] if str(e).strip() else e.__class__.__name__


def compile_condition(expression: str) -> Program:
    """Compile a gateway condition with the rules module's CEL checker: no Python, ever, and only
    the functions admins may use in rules. Variables are the task data, unknown at deploy."""
    if not isinstance(expression, str) or not expression.strip():
        raise ConditionInvalid("流转条件为空")
    try:
        return compile_expression(expression.strip(), None)
    except CelError as e:
        raise ConditionInvalid(f"流转条件不是合法的 CEL 表达式：{expression}（{e.message}）") from e


def evaluate_condition(expression: str, data: dict[str, Any]) -> bool:
    program = compile_condition(expression)
    missing = sorted(n for n in program.variables if n not in data)
    if missing:
        raise ConditionFailed(f"流转条件计算失败：{expression}（缺少数据：{'、'.join(missing)}）")
    try:
        activation = {n: to_cel(data[n], "dyn", n) for n in program.variables}
        return bool(check_result(program.evaluate(activation), "bool"))
    except CelError as e:
        if e.kind == "result_type":
            raise ConditionFailed(f"流转条件的结果应为真/假：{expression}") from e
        raise ConditionFailed(f"流转条件计算失败：{expression}（{e.message}）") from e


class CelEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff also evaluates some expressions through the environment directly."""

    def evaluate(self, expression, context, external_context=None):  # noqa: ANN001, ANN201
        return evaluate_condition(expression, dict(context or {}))

    def execute(self, script, context, external_context=None):  # noqa: ANN001, ANN201
        raise ScriptRefused()

    def call_service(self, context, **kwargs):  # noqa: ANN001, ANN201
        raise ScriptRefused("流程不允许调用外部服务")


class CelScriptEngine(PythonScriptEngine):
    """Gateway conditions run as CEL over the task data; scripts never run."""

    def __init__(self) -> None:
        super().__init__(environment=CelEnvironment())

    def validate(self, expression):  # noqa: ANN001, ANN201
        compile_condition(expression)

    def evaluate(self, task, expression, external_context=None):  # noqa: ANN001, ANN201
        return evaluate_condition(expression, dict(task.data))

    def execute(self, task, script, external_context=None):  # noqa: ANN001, ANN201
        raise ScriptRefused()

    def call_service(self, task, **kwargs):  # noqa: ANN001, ANN201
        raise ScriptRefused("流程不允许调用外部服务")


SCRIPT_ENGINE = CelScriptEngine()
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


# ---------------------------------------------------------------- definitions

@dataclass(frozen=True)
class StepDef:
    step_id: str
    name: str
    role: str
    scope: str
    sla_days: int
    actions: tuple[str, ...]
    # 须由不同人员办理: whoever handled an earlier step of the case may not handle this one.
    distinct_handler: bool = False


@dataclass(frozen=True)
class ProcessDefinition:
    key: str
    name: str
    version: str  # content hash
    xml: str
    steps: dict[str, StepDef]
    outcomes: dict[str, str]  # end event id -> outcome
    spec: Any = field(repr=False, compare=False)
    subprocess_specs: Any = field(repr=False, compare=False, default=None)
    # step id -> the step its 退回上一步 leads to (only for plain `action == "return_previous"` branches)
    returns_to: dict[str, str] = field(default_factory=dict, compare=False)

    # step id -> the steps a case comes from along forward flows (not reject/return/resume branches)
    comes_from: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def returns_to_applicant(self, step_id: str) -> bool:
        """退回上一步 from this step would land on an applicant step: the same as 退回申请人.

        By its 退回上一步 branch when it has one, else by the step before it (the first review)."""
        target = self.returns_to.get(step_id)
        before = (target,) if target is not None else self.comes_from.get(step_id, ())
        return bool(before) and all(s in self.steps and self.steps[s].role == "applicant" for s in before)


def content_hash(xml: str | bytes) -> str:
    """sha256 of the canonical XML: formatting-only edits keep the version, any real edit makes a new one."""
    root = _parse_xml(xml)
    canon = etree.tostring(root, method="c14n2", strip_text=True)
    return hashlib.sha256(canon).hexdigest()


def _parse_xml(xml: str | bytes) -> etree._Element:
    data = xml.encode() if isinstance(xml, str) else xml
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True,
                                 load_dtd=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise ProcessInvalid(f"流程文件不是合法的 XML：{e}") from e
    if root.getroottree().docinfo.internalDTD is not None:
        raise ProcessInvalid("流程文件不能包含 DOCTYPE 声明")
    return root


def _label(el: etree._Element) -> str:
    local = etree.QName(el).localname
    zh = ELEMENT_ZH.get(local) or ALLOWED_BPMN.get(local) or local
    ident = el.get("id")
    name = el.get("name")
    parts = [f"{zh}（{local}"]
    if ident:
        parts.append(f"，id={ident}")
    if name:
        parts.append(f"，名称“{name}”")
    return "".join(parts) + "）"


def _nearest_with_id(el: etree._Element) -> etree._Element:
    while el is not None and el.get("id") is None:
        el = el.getparent()
    return el


def _properties(el: etree._Element) -> dict[str, str]:
    props = el.findall(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property")
    return {p.get("name"): p.get("value", "") for p in props}


def _check_elements(root: etree._Element) -> None:
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise ProcessInvalid("流程文件的根元素应为 BPMN 2.0 的 definitions")
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        q = etree.QName(el)
        if q.namespace in DI_NAMESPACES:
            continue
        if q.namespace == BPMN_NS and q.localname in ALLOWED_BPMN:
            continue
        if q.namespace == SPIFF_NS and q.localname in ALLOWED_SPIFF:
            continue
        where = ""
        owner = _nearest_with_id(el.getparent()) if el.get("id") is None else None
        if owner is not None:
            where = f"，位于{_label(owner)}"
        allowed = "、".join(dict.fromkeys(ALLOWED_BPMN[k] for k in (
            "startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway",
            "sequenceFlow", "lane", "documentation", "extensionElements")))
        raise ProcessInvalid(f"流程包含不允许的元素：{_label(el)}{where}。只允许：{allowed}")


def _check_semantics(root: etree._Element) -> tuple[etree._Element, dict[str, StepDef], dict[str, str]]:
    processes = root.findall(f"{{{BPMN_NS}}}process")
    executable = [p for p in processes if p.get("isExecutable", "true").lower() == "true"]
    if len(executable) != 1:
        raise ProcessInvalid("流程文件应当只包含一个可执行流程（process）")
    proc = executable[0]
    key = proc.get("id") or ""
    if not key.isidentifier():
        raise ProcessInvalid(f"流程标识 id=“{key}”应由字母、数字、下划线组成")
    if len(proc.findall(f"{{{BPMN_NS}}}startEvent")) != 1:
        raise ProcessInvalid("流程应当有且只有一个开始事件")

    steps: dict[str, StepDef] = {}
    for ut in proc.iter(f"{{{BPMN_NS}}}userTask"):
        props = _properties(ut)
        label = _label(ut)
        role, scope, sla, acts = (props.get("role", ""), props.get("scope", ""),
                                  props.get("sla_days", ""), props.get("actions", ""))
        if role not in ROLES:
            raise ProcessInvalid(f"{label} 的办理角色 role=“{role}”无效，可选：{', '.join(ROLES)}")
        if scope not in SCOPES:
            raise ProcessInvalid(f"{label} 的数据范围 scope=“{scope}”无效，可选：{', '.join(SCOPES)}")
        if not sla.isdigit() or int(sla) <= 0:
            raise ProcessInvalid(f"{label} 的办理时限 sla_days=“{sla}”应为正整数（工作日）")
        actions = tuple(a.strip() for a in acts.split(",") if a.strip())
        bad = [a for a in actions if a not in ACTIONS]
        if not actions or bad:
            raise ProcessInvalid(f"{label} 的可用操作 actions=“{acts}”无效，可选：{', '.join(ACTIONS)}")
        distinct = props.get("distinct_handler", "false")
        if distinct not in BOOL_PROPS:
            raise ProcessInvalid(f"{label} 的“须由不同人员办理” distinct_handler=“{distinct}”应为 true 或 false")
        if role == "applicant" and BOOL_PROPS[distinct]:
            raise ProcessInvalid(f"{label} 是申请人环节，不能设置“须由不同人员办理”")
        steps[ut.get("id")] = StepDef(ut.get("id"), ut.get("name") or ut.get("id"), role, scope,
                                      int(sla), actions, BOOL_PROPS[distinct])
    if not steps:
        raise ProcessInvalid("流程至少应有一个用户任务（办理环节）")

    outcomes: dict[str, str] = {}
    for end in proc.iter(f"{{{BPMN_NS}}}endEvent"):
        outcome = _properties(end).get("outcome", "")
        if outcome not in OUTCOMES:
            raise ProcessInvalid(f"{_label(end)} 应声明办理结果 outcome（completed 或 rejected），当前为“{outcome}”")
        outcomes[end.get("id")] = outcome

    flows = {f.get("id"): f for f in proc.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    for gw in proc.iter(f"{{{BPMN_NS}}}exclusiveGateway"):
        out = [f for f in flows.values() if f.get("sourceRef") == gw.get("id")]
        for f in out:
            cond = f.find(f"{{{BPMN_NS}}}conditionExpression")
            if (cond is None or not (cond.text or "").strip()) and f.get("id") != gw.get("default") and len(out) > 1:
                raise ProcessInvalid(f"{_label(f)} 从{_label(gw)}流出，应设置流转条件或设为默认流")
    for f in flows.values():
        cond = f.find(f"{{{BPMN_NS}}}conditionExpression")
        if cond is not None and (cond.text or "").strip():
            try:
                compile_condition(cond.text.strip())
            except ConditionInvalid as e:
                raise ConditionInvalid(f"{_label(f)} {e.message}") from e
    _check_action_branches(proc, steps, flows)
    return proc, steps, outcomes


def _predecessors(proc: etree._Element, steps: dict[str, StepDef]) -> dict[str, tuple[str, ...]]:
    """The steps each step is reached from along forward flows, looking through gateways."""
    flows = list(proc.iter(f"{{{BPMN_NS}}}sequenceFlow"))

    def forward(f: etree._Element) -> bool:
        cond = f.find(f"{{{BPMN_NS}}}conditionExpression")
        text = (cond.text or "").strip() if cond is not None else ""
        return not re.search(r"reject|return_previous|return_applicant|returned_from", text)

    out: dict[str, tuple[str, ...]] = {}
    for sid in steps:
        found: list[str] = []
        seen, todo = {sid}, [sid]
        while todo:
            node = todo.pop()
            for f in flows:
                src = f.get("sourceRef")
                if f.get("targetRef") != node or not forward(f) or src in seen:
                    continue
                seen.add(src)
                if src in steps:
                    found.append(src)
                else:
                    todo.append(src)
        out[sid] = tuple(found)
    return out


def _return_targets(proc: etree._Element, steps: dict[str, StepDef]) -> dict[str, str]:
    """Where each step's 退回上一步 leads: step -> gateway -> the `action == "return_previous"` flow."""
    flows = list(proc.iter(f"{{{BPMN_NS}}}sequenceFlow"))
    out: dict[str, str] = {}
    for sid in steps:
        after = [f for f in flows if f.get("sourceRef") == sid]
        if len(after) != 1:
            continue
        gw = after[0].get("targetRef")
        for f in flows:
            cond = f.find(f"{{{BPMN_NS}}}conditionExpression")
            if f.get("sourceRef") == gw and cond is not None and \
                    RETURN_PREVIOUS_COND.fullmatch((cond.text or "").strip()):
                out[sid] = f.get("targetRef")
    return out


def _check_action_branches(proc: etree._Element, steps: dict[str, StepDef],
                           flows: dict[str, etree._Element]) -> None:
    """Each declared action must have a branch at the gateway after its step.

    Only conditions that depend on `action` alone can be checked here; others are left
    to run time (ProcessStuck)."""
    gateways = {g.get("id"): g for g in proc.iter(f"{{{BPMN_NS}}}exclusiveGateway")}
    nodes = {el.get("id"): el for el in proc.iter() if isinstance(el.tag, str) and el.get("id")}
    for sid, step in steps.items():
        out = [f for f in flows.values() if f.get("sourceRef") == sid]
        if len(out) != 1 or out[0].get("targetRef") not in gateways:
            continue
        gw = gateways[out[0].get("targetRef")]
        if gw.get("default"):
            continue
        conds = [(f.find(f"{{{BPMN_NS}}}conditionExpression").text or "").strip()
                 for f in flows.values() if f.get("sourceRef") == gw.get("id")
                 and f.find(f"{{{BPMN_NS}}}conditionExpression") is not None]
        for action in step.actions:
            try:
                hit = any(evaluate_condition(c, {"action": action}) for c in conds if c)
            except ConditionFailed:
                break  # depends on other data
            if not hit:
                raise ProcessInvalid(f"{_label(nodes[sid])} 声明了操作“{ACTIONS[action]}”（{action}），"
                                     f"但其后的{_label(gw)}没有对应的流转分支")


def load_process(xml: str | bytes) -> ProcessDefinition:
    """Validate and parse a BPMN process; raise ProcessInvalid with a Chinese message naming the element."""
    root = _parse_xml(xml)
    _check_elements(root)
    proc, steps, outcomes = _check_semantics(root)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(copy.deepcopy(root), filename=f"{proc.get('id')}.bpmn")
        spec = parser.get_spec(proc.get("id"))
        subprocess_specs = parser.get_subprocess_specs(proc.get("id"))
    except ValidationException as e:
        raise ProcessInvalid(f"流程不符合 BPMN 2.0 规范：{_first_line(e)}") from e
    except SpiffWorkflowException as e:
        raise ProcessInvalid(f"流程无法解析：{_first_line(e)}") from e
    text = xml.decode() if isinstance(xml, bytes) else xml
    return ProcessDefinition(key=proc.get("id"), name=proc.get("name") or proc.get("id"),
                             version=content_hash(xml), xml=text, steps=steps, outcomes=outcomes,
                             spec=spec, subprocess_specs=subprocess_specs,
                             returns_to=_return_targets(proc, steps), comes_from=_predecessors(proc, steps))


def default_process_keys() -> list[str]:
    return sorted(p.stem for p in PROCESS_DIR.glob("*.bpmn"))


def default_process(key: str) -> ProcessDefinition:
    path = PROCESS_DIR / f"{key}.bpmn"
    if not key.isidentifier() or not path.is_file():
        raise ProcessInvalid(f"没有业务类型“{key}”的默认流程")
    return load_process(path.read_bytes())


# ---------------------------------------------------------------- instances

@dataclass(frozen=True)
class ReadyStep:
    task_id: str  # SpiffWorkflow task uuid: the work item's handle
    step_id: str
    name: str
    role: str
    scope: str
    sla_days: int
    actions: tuple[str, ...]
    distinct_handler: bool = False


def _step_of(task) -> StepDef:  # noqa: ANN001
    spec = task.task_spec
    props = (getattr(spec, "extensions", None) or {}).get("properties", {})
    actions = tuple(a.strip() for a in props.get("actions", "").split(",") if a.strip())
    return StepDef(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, props.get("role", ""),
                   props.get("scope", ""), int(props.get("sla_days", "0") or 0), actions,
                   props.get("distinct_handler") == "true")


class Instance:
    """One running process. Not thread-safe; the case layer holds a row lock while acting."""

    def __init__(self, workflow: BpmnWorkflow, process_key: str, version: str):
        self.workflow = workflow
        self.process_key = process_key
        self.version = version

    @classmethod
    def start(cls, definition: ProcessDefinition, data: dict[str, Any] | None = None) -> Instance:
        wf = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=SCRIPT_ENGINE)
        if data:
            _check_json(data)
            wf.get_tasks(state=TaskState.READY)[0].data.update(copy.deepcopy(data))
        wf.do_engine_steps()
        return cls(wf, definition.key, definition.version)

    # -- reading

    def ready_steps(self) -> list[ReadyStep]:
        out = []
        for t in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            s = _step_of(t)
            out.append(ReadyStep(str(t.id), s.step_id, s.name, s.role, s.scope, s.sla_days, s.actions,
                                 s.distinct_handler))
        return out

    @property
    def is_completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def end_event(self) -> str | None:
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent)]
        if not ends:
            return None
        return max(ends, key=lambda t: t.last_state_change).task_spec.bpmn_id

    @property
    def outcome(self) -> str | None:
        """completed | rejected once the process has ended, else None."""
        if not self.is_completed:
            return None
        end = self.end_event
        if end is None:
            return None
        for t in self.workflow.get_tasks(state=TaskState.COMPLETED):
            if t.task_spec.bpmn_id == end and isinstance(t.task_spec, EndEvent):
                return (t.task_spec.extensions or {}).get("properties", {}).get("outcome")
        return None

    @property
    def data(self) -> dict[str, Any]:
        """The data of the latest finished step (what the next condition would see)."""
        done = self.workflow.get_tasks(state=TaskState.COMPLETED)
        return dict(max(done, key=lambda t: t.last_state_change).data) if done else {}

    # -- acting

    def act(self, task_id: str, action: str, data: dict[str, Any] | None = None) -> list[ReadyStep]:
        """Complete one ready step with an action; returns the steps ready afterwards.

        All or nothing: if a condition fails, the instance is left as it was.
        """
        task = next((t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                     if str(t.id) == str(task_id)), None)
        if task is None:
            raise ActionNotAllowed("该办理环节不存在或已办理")
        step = _step_of(task)
        if action not in step.actions:
            label = ACTIONS.get(action, action)
            raise ActionNotAllowed(f"环节“{step.name}”不允许“{label}”操作")
        data = dict(data or {})
        _check_json(data)
        for k in RESERVED_VARS:
            data.pop(k, None)
        data["action"] = action
        if action == "return_applicant":
            data["returned_from"] = step.step_id
        snapshot = self.to_dict()
        try:
            task.data.update(copy.deepcopy(data))
            task.run()
            self.workflow.do_engine_steps()
        except AppError:
            self.workflow = Instance.from_dict(snapshot).workflow
            raise
        except Exception as e:
            self.workflow = Instance.from_dict(snapshot).workflow
            raise ProcessStuck(f"环节“{step.name}”执行“{ACTIONS[action]}”后流程无法继续：{_first_line(e)}") from e
        return self.ready_steps()

    def act_on_step(self, step_id: str, action: str, data: dict[str, Any] | None = None) -> list[ReadyStep]:
        ready = [r for r in self.ready_steps() if r.step_id == step_id]
        if not ready:
            raise ActionNotAllowed(f"环节“{step_id}”当前不在办理中")
        return self.act(ready[0].task_id, action, data)

    # -- storage

    def to_dict(self) -> dict[str, Any]:
        # The serialised workflow stays a JSON *string*: SpiffWorkflow rebuilds task data from
        # per-task deltas in the order of its `tasks` object, and a JSONB column re-sorts keys.
        return {"process_key": self.process_key, "version": self.version,
                "workflow": _SERIALIZER.serialize_json(self.workflow)}

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, dct: dict[str, Any]) -> Instance:
        wf = _SERIALIZER.deserialize_json(dct["workflow"])
        wf.script_engine = SCRIPT_ENGINE  # not serialised; must be set again
        return cls(wf, dct["process_key"], dct["version"])

    @classmethod
    def loads(cls, text: str) -> Instance:
        return cls.from_dict(json.loads(text))


def _check_json(data: dict[str, Any]) -> None:
    try:
        json.dumps(data)
    except (TypeError, ValueError) as e:
        raise InvalidInput("流程数据只能包含文本、数字、布尔、列表和对象") from e
