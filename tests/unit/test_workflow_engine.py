"""The process engine: default processes walked through every path, deploy-time refusals,
CEL-only conditions, serialisation and versions."""
from __future__ import annotations

import json
import os
import re

import pytest
from xml.sax.saxutils import escape

from app.workflow.engine import (
    ACTIONS,
    ROLES,
    SCOPES,
    SCRIPT_ENGINE,
    ActionNotAllowed,
    ConditionFailed,
    ConditionInvalid,
    Instance,
    ProcessInvalid,
    ProcessStuck,
    ScriptRefused,
    content_hash,
    default_process,
    default_process_keys,
    evaluate_condition,
    load_process,
)

pytestmark = pytest.mark.feature("SYS-01")

CASE_TYPES = [
    "eligibility_application", "info_change", "requalification", "exit",
    "project_declaration", "project_exit", "progress_report",
    "unit_intake", "unit_change",
    "org_onboarding", "org_info_change",
    "unit_transfer", "rent_adjustment", "vacate",
    "objection", "complaint", "repair", "credit_record",
]
WITH_PUBLICITY = {"eligibility_application", "info_change", "requalification", "exit"}


def _forward(step) -> str:  # noqa: ANN001
    return "submit" if "submit" in step.actions else "approve"


def _only(inst: Instance):  # noqa: ANN202
    ready = inst.ready_steps()
    assert len(ready) == 1, ready
    return ready[0]


def _main_line(key: str) -> list[str]:
    """Step ids on the all-approve path, in order."""
    inst = Instance.start(default_process(key))
    seen = []
    while not inst.is_completed:
        step = _only(inst)
        seen.append(step.step_id)
        inst.act(step.task_id, _forward(step))
    assert inst.outcome == "completed"
    return seen


def _walk_to(key: str, step_id: str) -> Instance:
    inst = Instance.start(default_process(key))
    while _only(inst).step_id != step_id:
        step = _only(inst)
        inst.act(step.task_id, _forward(step))
    return inst


def _finish(inst: Instance) -> list[str]:
    seen = []
    while not inst.is_completed:
        step = _only(inst)
        seen.append(step.step_id)
        inst.act(step.task_id, _forward(step), {"opinion": "同意"})
    return seen


def test_every_case_type_has_a_default_process() -> None:
    assert sorted(CASE_TYPES) == default_process_keys()


@pytest.mark.parametrize("key", CASE_TYPES)
def test_default_process_deploys_with_roles_scopes_and_slas(key: str) -> None:
    d = default_process(key)
    assert d.key == key
    assert re.fullmatch(r"[0-9a-f]{64}", d.version)
    assert set(d.outcomes.values()) == {"completed", "rejected"}
    for step in d.steps.values():
        assert step.role in ROLES and step.scope in SCOPES
        assert step.sla_days > 0
        assert set(step.actions) <= set(ACTIONS)
    line = _main_line(key)
    assert line[0] == "submission"
    reviews = [s for s in line if s != "submission"]
    assert len(reviews) >= 2, "intake, then at least two decisions"
    assert ("publicity" in line) == (key in WITH_PUBLICITY)
    if "publicity" in line:
        assert line[-1] == "publicity"


@pytest.mark.parametrize("key", CASE_TYPES)
def test_approve_to_the_end_completes(key: str) -> None:
    inst = Instance.start(default_process(key))
    first = _only(inst)
    assert (first.step_id, first.actions) == ("submission", ("submit",))
    _finish(inst)
    assert inst.is_completed
    assert (inst.end_event, inst.outcome) == ("end_completed", "completed")
    assert inst.ready_steps() == []


def _paths(key: str, action: str) -> list[tuple[str, str]]:
    d = default_process(key)
    return [(key, s) for s in _main_line(key) if action in d.steps[s].actions]


ALL_REJECTS = [p for k in CASE_TYPES for p in _paths(k, "reject")]
ALL_RETURN_PREVIOUS = [p for k in CASE_TYPES for p in _paths(k, "return_previous")]
ALL_RETURN_APPLICANT = [p for k in CASE_TYPES for p in _paths(k, "return_applicant")]


def test_every_review_step_can_reject_and_return() -> None:
    for key in CASE_TYPES:
        d = default_process(key)
        line = _main_line(key)
        # 退回上一步 from the first review would land on the applicant's submission: that is 退回申请人,
        # so the first review does not offer it (GOV-01-02); every later step does.
        first_is_applicants = d.steps[line[0]].role == "applicant"
        assert all("return_previous" in d.steps[s].actions for s in line[1 + first_is_applicants:]), key
        if first_is_applicants:
            assert "return_previous" not in d.steps[line[1]].actions, key
            assert not any(d.returns_to_applicant(s) for s in line if "return_previous" in d.steps[s].actions)
        # every decision step by staff can reject (the repair worker and the tenant's acceptance cannot)
        staff_steps = [s for s in line[1:] if d.steps[s].role != "applicant" and key != "repair"]
        assert all("reject" in d.steps[s].actions for s in staff_steps), key
    assert len(ALL_REJECTS) >= 2 * len(CASE_TYPES)


@pytest.mark.parametrize(("key", "step_id"), ALL_REJECTS)
def test_reject_at_each_step_ends_rejected(key: str, step_id: str) -> None:
    inst = _walk_to(key, step_id)
    inst.act(_only(inst).task_id, "reject", {"opinion": "材料不实"})
    assert inst.is_completed
    assert (inst.end_event, inst.outcome) == ("end_rejected", "rejected")
    assert inst.ready_steps() == []


@pytest.mark.parametrize(("key", "step_id"), ALL_RETURN_PREVIOUS)
def test_return_to_previous_goes_back_one_step_then_completes(key: str, step_id: str) -> None:
    line = _main_line(key)
    inst = _walk_to(key, step_id)
    inst.act(_only(inst).task_id, "return_previous", {"opinion": "请重新审核"})
    assert _only(inst).step_id == line[line.index(step_id) - 1]
    assert not inst.is_completed and inst.outcome is None
    assert _finish(inst) == line[line.index(step_id) - 1:]
    assert inst.outcome == "completed"


@pytest.mark.parametrize(("key", "step_id"), ALL_RETURN_APPLICANT)
def test_return_to_applicant_resumes_where_it_was(key: str, step_id: str) -> None:
    d = default_process(key)
    line = _main_line(key)
    inst = _walk_to(key, step_id)
    inst.act(_only(inst).task_id, "return_applicant", {"opinion": "请补充收入证明"})
    corr = _only(inst)
    assert corr.step_id == "correction"
    # the correction is done by whoever submitted
    assert (corr.role, corr.scope) == (d.steps["submission"].role, d.steps["submission"].scope)
    assert inst.data["returned_from"] == step_id

    inst = Instance.loads(inst.dumps())  # a case is stored between two actions
    inst.act(_only(inst).task_id, "submit", {"form": {"income_proof": True}})
    assert _only(inst).step_id == step_id
    assert _finish(inst) == line[line.index(step_id):]
    assert inst.outcome == "completed"


@pytest.mark.parametrize("key", CASE_TYPES)
def test_serialise_mid_way_and_continue(key: str) -> None:
    line = _main_line(key)
    inst = _walk_to(key, line[1])
    stored = json.loads(json.dumps(inst.to_dict()))  # as a JSONB column would hold it
    assert (stored["process_key"], stored["version"]) == (key, default_process(key).version)
    back = Instance.from_dict(stored)
    assert back.workflow.script_engine is SCRIPT_ENGINE
    assert [r.step_id for r in back.ready_steps()] == [line[1]]
    assert _finish(back) == line[1:]
    assert back.outcome == "completed"


def test_action_not_declared_by_the_step_is_refused() -> None:
    inst = Instance.start(default_process("eligibility_application"))
    with pytest.raises(ActionNotAllowed, match="不允许“通过”操作"):
        inst.act(_only(inst).task_id, "approve")
    inst.act(_only(inst).task_id, "submit")
    inst.act(_only(inst).task_id, "approve")
    inst.act(_only(inst).task_id, "approve")
    pub = _only(inst)
    assert pub.step_id == "publicity"
    with pytest.raises(ActionNotAllowed):
        inst.act(pub.task_id, "return_applicant")
    with pytest.raises(ActionNotAllowed, match="不存在或已办理"):
        inst.act("00000000-0000-0000-0000-000000000000", "approve")
    assert _only(inst).step_id == "publicity"


def test_reserved_variables_cannot_be_forged_by_form_data() -> None:
    inst = _walk_to("eligibility_application", "first_review")
    # data claiming another action must not steer the gateway
    inst.act(_only(inst).task_id, "approve", {"action": "reject", "returned_from": "publicity"})
    assert _only(inst).step_id == "second_review"


# ---------------------------------------------------------------- deploy-time refusals

def _process(body: str, key: str = "demo") -> str:
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs" targetNamespace="https://arh.jiangmen.gov.cn/bpmn">
  <bpmn:process id="{key}" name="演示" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>'''


def _props(**kv: object) -> str:
    inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in kv.items())
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


REVIEW = _props(role="gov_clerk", scope="DISTRICT", sla_days=5, actions="approve,reject")
ENDS = (f'<bpmn:endEvent id="end_ok">{_props(outcome="completed")}</bpmn:endEvent>'
        f'<bpmn:endEvent id="end_no">{_props(outcome="rejected")}</bpmn:endEvent>')


def _gated(cond_ok: str, cond_no: str = 'action == "reject"', extra: str = "") -> str:
    return _process(f'''
      <bpmn:startEvent id="start"/>
      <bpmn:userTask id="review" name="审核">{REVIEW}</bpmn:userTask>
      <bpmn:exclusiveGateway id="gw"/>
      {ENDS}{extra}
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
      <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
      <bpmn:sequenceFlow id="f3" name="通过" sourceRef="gw" targetRef="end_ok">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(cond_ok)}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="end_no">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(cond_no)}</bpmn:conditionExpression></bpmn:sequenceFlow>''')


def test_minimal_valid_process_deploys_and_runs() -> None:
    d = load_process(_gated('action == "approve"'))
    inst = Instance.start(d)
    inst.act(_only(inst).task_id, "approve")
    assert inst.outcome == "completed"


def test_script_task_is_refused_in_chinese_naming_it() -> None:
    xml = _gated('action == "approve"', extra='''
      <bpmn:scriptTask id="calc_score" name="计算得分"><bpmn:script>import os; os.system("id")</bpmn:script></bpmn:scriptTask>''')
    with pytest.raises(ProcessInvalid) as e:
        load_process(xml)
    assert e.value.code == "PROCESS_INVALID"
    assert "不允许的元素" in e.value.message
    assert "脚本任务" in e.value.message and "calc_score" in e.value.message and "计算得分" in e.value.message


@pytest.mark.parametrize(("fragment", "named"), [
    ('<bpmn:serviceTask id="call_out" name="调用接口"/>', "服务任务"),
    ('<bpmn:callActivity id="sub" calledElement="other"/>', "调用活动"),
    ('<bpmn:subProcess id="sp"/>', "子流程"),
    ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>',
     "中间捕获事件"),
    ('<bpmn:inclusiveGateway id="incl"/>', "包容网关"),
])
def test_elements_outside_the_allowed_list_are_refused(fragment: str, named: str) -> None:
    with pytest.raises(ProcessInvalid, match=named):
        load_process(_gated('action == "approve"', extra=fragment))


def test_spiff_pre_script_inside_a_user_task_is_refused() -> None:
    xml = _gated('action == "approve"').replace(
        "<spiffworkflow:properties>",
        "<spiffworkflow:preScript>x = __import__('os')</spiffworkflow:preScript><spiffworkflow:properties>", 1)
    with pytest.raises(ProcessInvalid) as e:
        load_process(xml)
    assert "preScript" in e.value.message and "review" in e.value.message


@pytest.mark.parametrize(("props", "msg"), [
    (_props(scope="DISTRICT", sla_days=5, actions="approve"), "办理角色"),
    (_props(role="gov_clerk", scope="PLANET", sla_days=5, actions="approve"), "数据范围"),
    (_props(role="gov_clerk", scope="CITY", sla_days=0, actions="approve"), "办理时限"),
    (_props(role="gov_clerk", scope="CITY", sla_days=3, actions="approve,delete_case"), "可用操作"),
])
def test_user_task_must_declare_role_scope_sla_and_actions(props: str, msg: str) -> None:
    with pytest.raises(ProcessInvalid, match=msg) as e:
        load_process(_gated('action == "approve"').replace(REVIEW, props))
    assert "review" in e.value.message


def test_end_event_must_declare_outcome_and_xml_must_be_bpmn() -> None:
    with pytest.raises(ProcessInvalid, match="outcome"):
        load_process(_gated('action == "approve"').replace(_props(outcome="rejected"), ""))
    with pytest.raises(ProcessInvalid, match="不是合法的 XML"):
        load_process("<bpmn:definitions")
    with pytest.raises(ProcessInvalid, match="definitions"):
        load_process("<html/>")


def test_python_condition_is_invalid_cel_and_never_runs(tmp_path) -> None:  # noqa: ANN001
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    with pytest.raises(ConditionInvalid) as e:
        load_process(_gated(payload))
    assert e.value.code == "CONDITION_INVALID" and "__import__" in e.value.message and "f3" in e.value.message
    with pytest.raises(ConditionInvalid):
        load_process(_gated("import os"))
    with pytest.raises(ConditionInvalid):
        load_process(_gated("[x for x in (1, 2)]"))
    # even handed straight to the engine at run time, it is CEL or nothing
    with pytest.raises(ConditionInvalid):
        evaluate_condition(payload, {})
    assert not marker.exists()


def test_scripts_never_execute() -> None:
    inst = Instance.start(load_process(_gated('action == "approve"')))
    task = inst.workflow.get_tasks()[0]
    with pytest.raises(ScriptRefused):
        SCRIPT_ENGINE.execute(task, "import os")
    with pytest.raises(ScriptRefused):
        SCRIPT_ENGINE.environment.execute("x = 1", {})


def test_gateway_condition_is_cel_over_task_data() -> None:
    d = load_process(_gated('action == "approve" && form.household_size >= 3 && "低收入" in form.tags',
                            '!(action == "approve" && form.household_size >= 3 && "低收入" in form.tags)'))
    big = Instance.start(d)
    big.act(_only(big).task_id, "approve", {"form": {"household_size": 4, "tags": ["低收入"]}})
    assert big.outcome == "completed"
    small = Instance.start(d)
    small.act(_only(small).task_id, "approve", {"form": {"household_size": 2, "tags": ["低收入"]}})
    assert small.outcome == "rejected"
    assert evaluate_condition("size(xs) == 2 && name.startsWith('江门')", {"xs": [1, 2], "name": "江门市"})


def test_failing_condition_leaves_the_instance_unchanged() -> None:
    d = load_process(_gated("form.score > 60", "form.score <= 60"))
    inst = Instance.start(d)
    before = _only(inst)
    with pytest.raises(ConditionFailed, match="form.score"):
        inst.act(before.task_id, "approve", {})  # no form: the condition cannot be computed
    assert _only(inst) == before
    with pytest.raises(ConditionFailed, match="真/假"):
        evaluate_condition("1 + 1", {})
    inst.act(before.task_id, "approve", {"form": {"score": 75}})
    assert inst.outcome == "completed"


# ---------------------------------------------------------------- versions

def test_version_hash_matches_identical_xml_and_differs_when_edited() -> None:
    xml = default_process("project_exit").xml
    assert content_hash(xml) == content_hash(xml.encode())
    assert content_hash(xml) == load_process(xml).version
    reformatted = re.sub(r">\s*<", ">\n      <", xml)
    assert content_hash(reformatted) == content_hash(xml)
    edited = xml.replace('name="市住建审批"', 'name="市住建终审"')
    assert content_hash(edited) != content_hash(xml)
    assert len({default_process(k).version for k in CASE_TYPES}) == len(CASE_TYPES)


def _with_legal_review(xml: str) -> str:
    """An admin inserts a step between first review and approval."""
    step = ('<bpmn:userTask id="legal_review" name="法规审查">'
            + _props(role="gov_supervisor", scope="CITY", sla_days=3, actions="approve") + "</bpmn:userTask>"
            '<bpmn:sequenceFlow id="flow_legal_review" sourceRef="legal_review" targetRef="approval"/>')
    out = xml.replace('sourceRef="gw_first_review" targetRef="approval"',
                      'sourceRef="gw_first_review" targetRef="legal_review"')
    out = out.replace("</bpmn:process>", step + "</bpmn:process>")
    assert out.count("legal_review") == 4
    return out


def test_edited_process_is_a_new_version_and_running_cases_keep_theirs() -> None:
    v1 = default_process("project_exit")
    old = Instance.start(v1)
    old.act(_only(old).task_id, "submit")
    stored = old.dumps()

    v2 = load_process(_with_legal_review(v1.xml))
    assert (v2.key, v1.key) == ("project_exit", "project_exit")
    assert v2.version != v1.version
    assert "legal_review" in v2.steps

    new = Instance.start(v2)
    new.act(_only(new).task_id, "submit")
    assert _finish(new) == ["first_review", "legal_review", "approval"]
    assert new.version == v2.version

    restored = Instance.loads(stored)
    assert restored.version == v1.version
    assert _finish(restored) == ["first_review", "approval"]
    assert restored.outcome == "completed"


def test_no_file_in_processes_dir_is_left_unchecked() -> None:
    from app.workflow.engine import PROCESS_DIR
    assert sorted(p for p in os.listdir(PROCESS_DIR)) == sorted(f"{k}.bpmn" for k in CASE_TYPES)


def test_declared_action_without_a_branch_is_refused_at_deploy() -> None:
    xml = _gated('action == "approve"').replace('actions" value="approve,reject"',
                                                 'actions" value="approve,reject,return_applicant"')
    with pytest.raises(ProcessInvalid, match="退回申请人") as e:
        load_process(xml)
    assert "review" in e.value.message and "gw" in e.value.message


def test_no_matching_branch_at_run_time_is_a_clear_error_and_changes_nothing() -> None:
    inst = Instance.start(load_process(_gated("form.score > 60", "form.score < 30")))
    before = _only(inst)
    with pytest.raises(ProcessStuck, match="审核") as e:
        inst.act(before.task_id, "approve", {"form": {"score": 50}})
    assert e.value.code == "PROCESS_STUCK"
    assert _only(inst) == before and not inst.is_completed
    inst.act(before.task_id, "reject", {"form": {"score": 10}})
    assert inst.outcome == "rejected"


def test_start_data_flows_into_later_conditions() -> None:
    inst = Instance.start(load_process(_gated("form.score > 60", "form.score <= 60")), {"form": {"score": 80}})
    inst.act(_only(inst).task_id, "approve")
    assert inst.outcome == "completed"
    with pytest.raises(Exception, match="流程数据"):
        Instance.start(default_process("repair"), {"when": object()})


def test_doctype_and_entities_are_refused() -> None:
    xml = _gated('action == "approve"').replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(ProcessInvalid, match="DOCTYPE"):
        load_process(xml)


def test_parallel_reviews_join_before_the_end() -> None:
    both = _props(role="gov_clerk", scope="DISTRICT", sla_days=3, actions="approve")
    d = load_process(_process(f'''
      <bpmn:startEvent id="start"/>
      <bpmn:parallelGateway id="split"/>
      <bpmn:userTask id="housing_check" name="住房核查">{both}</bpmn:userTask>
      <bpmn:userTask id="social_check" name="社保核查">{both}</bpmn:userTask>
      <bpmn:parallelGateway id="join"/>
      <bpmn:endEvent id="end_ok">{_props(outcome="completed")}</bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
      <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="housing_check"/>
      <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="social_check"/>
      <bpmn:sequenceFlow id="f4" sourceRef="housing_check" targetRef="join"/>
      <bpmn:sequenceFlow id="f5" sourceRef="social_check" targetRef="join"/>
      <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end_ok"/>'''))
    inst = Instance.start(d)
    ready = {r.step_id: r for r in inst.ready_steps()}
    assert set(ready) == {"housing_check", "social_check"}
    left = inst.act(ready["social_check"].task_id, "approve")
    assert [r.step_id for r in left] == ["housing_check"] and not inst.is_completed
    inst = Instance.loads(inst.dumps())
    inst.act(inst.ready_steps()[0].task_id, "approve")
    assert inst.outcome == "completed"


# ---- separation of duties, 退回上一步 on the first step, and the shipped drawings (issue 10) -----------

def test_distinct_handler_is_a_step_property_on_by_default_for_the_approval_chains() -> None:
    d = default_process("project_declaration")
    assert [(s.step_id, s.distinct_handler) for s in d.steps.values()] == [
        ("submission", False), ("first_review", False), ("second_review", True), ("approval", True),
        ("correction", False)]
    for key in CASE_TYPES:
        d = default_process(key)
        later = [s for s in _main_line(key)[2:] if d.steps[s].role != "applicant"
                 and d.steps[s].role.endswith("_supervisor")]
        assert key == "repair" or all(d.steps[s].distinct_handler for s in later), key
    # It travels with the step into a running instance.
    inst = _walk_to("project_declaration", "second_review")
    assert _only(inst).distinct_handler is True


@pytest.mark.parametrize(("value", "ok"), [("true", True), ("false", True), ("yes", False), ("1", False)])
def test_distinct_handler_must_be_true_or_false(value: str, ok: bool) -> None:
    props = _props(role="gov_clerk", scope="DISTRICT", sla_days=5, actions="approve,reject", distinct_handler=value)
    xml = _gated('action == "approve"').replace(REVIEW, props)
    if ok:
        assert load_process(xml).steps["review"].distinct_handler is (value == "true")
    else:
        with pytest.raises(ProcessInvalid) as e:
            load_process(xml)
        assert "须由不同人员办理" in e.value.message and "true 或 false" in e.value.message


def test_an_applicant_step_cannot_ask_for_a_distinct_handler() -> None:
    props = _props(role="applicant", scope="SELF", sla_days=5, actions="approve,reject", distinct_handler="true")
    with pytest.raises(ProcessInvalid) as e:
        load_process(_gated('action == "approve"').replace(REVIEW, props))
    assert "申请人环节" in e.value.message


def test_return_previous_targets_are_known_per_step() -> None:
    d = default_process("project_declaration")
    assert d.returns_to == {"second_review": "first_review", "approval": "second_review"}
    assert not d.returns_to_applicant("second_review")
    credit = default_process("credit_record")  # entered by a clerk: going back to it is a real step back
    assert credit.returns_to["first_review"] == "submission" and not credit.returns_to_applicant("first_review")


def test_duty_conflict_names_the_earlier_step() -> None:
    from types import SimpleNamespace
    from app.workflow.access import duty_conflict, duty_message
    item = SimpleNamespace(distinct_handler=True, step_id="approval")
    assert duty_conflict(item, {}) is None
    assert duty_conflict(item, {"approval": "市住建认定"}) is None  # the same step again, after a return
    assert duty_conflict(item, {"second_review": "区住建复审"}) == "区住建复审"
    assert duty_conflict(SimpleNamespace(distinct_handler=False, step_id="approval"),
                         {"second_review": "区住建复审"}) is None
    assert duty_message("区住建复审") == "您已办理本件的「区住建复审」环节，按职责分离要求，本环节须由其他人员办理"


def _segments(xml: str) -> dict[str, list[tuple[tuple[float, float], tuple[float, float]]]]:
    from lxml import etree
    from app.workflow.layout import BPMNDI, DI
    root = etree.fromstring(xml.encode())
    out = {}
    for e in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        pts = [(float(w.get("x")), float(w.get("y"))) for w in e.findall(f"{{{DI}}}waypoint")]
        out[e.get("bpmnElement")] = list(zip(pts, pts[1:]))
    return out


def _cross(a, b) -> bool:  # noqa: ANN001
    """A horizontal and a vertical segment crossing strictly inside both (touching ends is a join)."""
    (h, v) = (a, b) if a[0][1] == a[1][1] else (b, a)
    if h[0][1] != h[1][1] or v[0][0] != v[1][0]:
        return False
    x0, x1 = sorted((h[0][0], h[1][0]))
    y0, y1 = sorted((v[0][1], v[1][1]))
    x, y = v[0][0], h[0][1]
    return x0 < x < x1 and y0 < y < y1


@pytest.mark.parametrize("key", CASE_TYPES)
def test_shipped_processes_are_laid_out_with_di_and_no_crossing_lines(key: str) -> None:
    from app.workflow import layout
    from app.workflow.engine import PROCESS_DIR
    xml = (PROCESS_DIR / f"{key}.bpmn").read_text(encoding="utf-8")
    assert layout.has_di(xml)
    # The file is exactly what the layout computes: laying it out again changes nothing.
    assert layout.layout(xml) == xml
    from lxml import etree
    segs = _segments(xml)
    assert set(segs) == {f.get("id") for f in etree.fromstring(xml.encode()).iter(
        "{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow")}
    line = _main_line(key)
    for seg in [s for ss in segs.values() for s in ss]:
        assert seg[0][0] == seg[1][0] or seg[0][1] == seg[1][1], (key, seg)  # orthogonal lines only
    # These graphs are not planar (every review both rejects to one end and returns to one correction
    # step, which resumes at each review), so some lines must cross; they cross only at right angles,
    # in the return and reject lanes, never on the forward path or through a shape.
    shapes = {s.get("bpmnElement"): [float(s.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds").get(k))
                                     for k in ("x", "y", "width", "height")]
              for s in etree.fromstring(xml.encode()).iter(f"{{{layout.BPMNDI}}}BPMNShape")}
    ends = {f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
            for f in etree.fromstring(xml.encode()).iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow")}
    for fid, ss in segs.items():
        for (x0, y0), (x1, y1) in ss:
            for sid, (bx, by, bw, bh) in shapes.items():
                if sid in ends[fid]:
                    continue
                inside_x = max(min(x0, x1), bx + 1) < min(max(x0, x1), bx + bw - 1)
                inside_y = max(min(y0, y1), by + 1) < min(max(y0, y1), by + bh - 1)
                on_x = bx < x0 < bx + bw if x0 == x1 else inside_x
                on_y = by < y0 < by + bh if y0 == y1 else inside_y
                assert not (on_x and on_y), (key, fid, "passes through", sid)
    forward = {f for f, (a, b) in ends.items() if not any(
        w in f for w in ("reject", "return", "resume"))} - {"flow_correction"}
    crossings = [(f, g) for f in segs for g in segs if f < g
                 for a in segs[f] for b in segs[g] if _cross(a, b)]
    assert not [c for c in crossings if set(c) & forward], (key, crossings)
    arcs = [f for f in segs if "return_previous" in f]
    top = min(shapes[s][1] for s in line)
    assert all(segs[f][1][0][1] < top and segs[f][1][1][1] < top for f in arcs), key  # 退回上一步 arcs run above
    # Left to right: the forward path's shapes stand in order of the steps.
    d = default_process(key)
    root = etree.fromstring(xml.encode())
    x = {s.get("bpmnElement"): float(s.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds").get("x"))
         for s in root.iter(f"{{{layout.BPMNDI}}}BPMNShape")}
    assert [x[s] for s in line] == sorted(x[s] for s in line), key
    assert load_process(xml).version == d.version


def test_a_process_saved_without_a_drawing_gets_one() -> None:
    from app.workflow import layout
    bare = _gated('action == "approve"')
    assert not layout.has_di(bare)
    drawn = layout.ensure_di(bare)
    assert layout.has_di(drawn) and layout.ensure_di(drawn) == drawn
    d = load_process(drawn)
    assert list(d.steps) == ["review"] and set(d.outcomes) == {"end_ok", "end_no"}
    assert 'bpmnElement="f3"' in drawn and "<bpmndi:BPMNLabel>" in drawn  # the named flow's label has its place
