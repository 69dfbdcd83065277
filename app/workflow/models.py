"""Cases (业务件), their work items, events and materials; deployed processes and forms.

The BPMN instance (JSONB) is the source of truth for where a case is in its flow. Work items
are its ready steps copied into indexed rows, so todo/done lists never read the JSON.
"""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from app.core.pii import EncryptedField


class ProcessVersion(Model):
    """A deployed BPMN process. Deploying an edit adds a version; running cases keep theirs."""
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(64)  # the case type
    version = fields.IntField()
    name = fields.CharField(128)
    content_hash = fields.CharField(64)
    xml = fields.TextField()
    steps = fields.JSONField(default=list)  # [{step_id, name, role, scope, sla_days, actions}]
    active = fields.BooleanField(default=True)
    note = fields.CharField(255, null=True)
    deployed_by_id = fields.BigIntField(null=True)
    deployed_by_name = fields.CharField(64, null=True)
    deployed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "process_version"
        unique_together = (("key", "version"),)


class FormVersion(Model):
    """A case type's form (form-create rule JSON) and its per-step field permissions."""
    id = fields.BigIntField(primary_key=True)
    case_type = fields.CharField(64)
    version = fields.IntField()
    rules = fields.JSONField(default=list)  # form-create rules: [{type, field, title, props, validate, options}]
    options = fields.JSONField(default=dict)  # form-create form options (layout)
    field_perms = fields.JSONField(default=dict)  # {step_id: {field: "read" | "edit" | "hidden"}}
    active = fields.BooleanField(default=True)
    note = fields.CharField(255, null=True)
    created_by_id = fields.BigIntField(null=True)
    created_by_name = fields.CharField(64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "form_version"
        unique_together = (("case_type", "version"),)


class Case(Model):
    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(32, unique=True)  # BZSQ-20261126-0001
    case_type = fields.CharField(64, db_index=True)
    title = fields.CharField(255)
    status = fields.CharField(16, db_index=True)  # draft | in_review | returned | rejected | complete | withdrawn
    channel = fields.CharField(16, db_index=True)  # onsite | online | partner
    # applicant: a person account, or an org (the staff who act for it are the submitter)
    applicant_kind = fields.CharField(8)  # PERSON | ORG
    applicant_account_id = fields.BigIntField(null=True, db_index=True)
    applicant_org_id = fields.BigIntField(null=True, db_index=True)
    applicant_name = fields.CharField(128, db_index=True)
    applicant_id_number_idx = fields.CharField(64, null=True, db_index=True)
    applicant_id_number = EncryptedField(null=True)
    applicant_phone = EncryptedField(null=True)
    submitter_id = fields.BigIntField(db_index=True)  # who created it: the person, or the intake clerk
    submitter_name = fields.CharField(64)
    # scope: the district the case belongs to, and the org (builder/operator) responsible, if any
    district_code = fields.CharField(6, db_index=True)
    org_id = fields.BigIntField(null=True, db_index=True)
    subjects = fields.JSONField(default=dict)  # {"project_id": .., "unit_id": .., "lease_id": ..}
    form_version_id = fields.BigIntField(null=True)
    form = fields.JSONField(default=dict)
    process_version_id = fields.BigIntField()
    instance = fields.JSONField()
    current_steps = fields.JSONField(default=list)  # [{step_id, name}] for display
    current_step_names = fields.CharField(255, null=True, db_index=True)
    campaign_id = fields.BigIntField(null=True, db_index=True)
    partner_ref = fields.CharField(64, null=True, db_index=True)  # the partner's own number (channel=partner)
    outcome_reason = fields.CharField(500, null=True)  # the reject reason
    row_version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    submitted_at = fields.DatetimeField(null=True, db_index=True)  # acceptance time (受理时间)
    due_at = fields.DatetimeField(null=True, db_index=True)
    finished_at = fields.DatetimeField(null=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "case"
        indexes = (Index(fields=("district_code", "status", "created_at")),
                   Index(fields=("case_type", "status", "created_at")))


class WorkItem(Model):
    """One ready step of a case (待办), and once acted on, a done item (已办)."""
    id = fields.BigIntField(primary_key=True)
    case = fields.ForeignKeyField("models.Case", related_name="work_items", on_delete=fields.CASCADE)
    task_id = fields.CharField(64)  # SpiffWorkflow task uuid
    step_id = fields.CharField(64)
    step_name = fields.CharField(128)
    role = fields.CharField(32, db_index=True)  # applicant | gov_clerk | gov_supervisor | operator_clerk | …
    scope = fields.CharField(16)  # CITY | DISTRICT | ORG | SELF
    actions = fields.JSONField(default=list)
    # copied from the case so the todo query needs no join
    case_type = fields.CharField(64)
    case_number = fields.CharField(32)
    applicant_name = fields.CharField(128)
    district_code = fields.CharField(6)
    org_id = fields.BigIntField(null=True)
    applicant_org_id = fields.BigIntField(null=True)  # its staff never handle a review step of the case
    distinct_handler = fields.BooleanField(default=False)  # 须由不同人员办理 (separation of duties)
    status = fields.CharField(16, default="open")  # open | done | cancelled
    assignee_id = fields.BigIntField(null=True)
    assignee_name = fields.CharField(64, null=True)
    claimed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    due_date = fields.DateField(null=True)
    done_at = fields.DatetimeField(null=True)
    done_by_id = fields.BigIntField(null=True)
    done_by_name = fields.CharField(64, null=True)
    action = fields.CharField(32, null=True)
    opinion = fields.TextField(null=True)

    class Meta:
        table = "work_item"
        indexes = (Index(fields=("status", "role", "district_code", "created_at")),
                   Index(fields=("status", "assignee_id", "created_at")),
                   Index(fields=("status", "org_id", "role")),
                   Index(fields=("done_by_id", "done_at")),
                   Index(fields=("status", "due_date")),
                   Index(fields=("case_id", "status")))


class CaseEvent(Model):
    """The case's timeline: every action with who, when, step and opinion (also in the audit log)."""
    id = fields.BigIntField(primary_key=True)
    case = fields.ForeignKeyField("models.Case", related_name="events", on_delete=fields.CASCADE)
    work_item_id = fields.BigIntField(null=True)
    step_id = fields.CharField(64, null=True)
    step_name = fields.CharField(128, null=True)
    action = fields.CharField(32)  # create | submit | claim | approve | return_previous | return_applicant |
    #                                reject | transfer | withdraw | comment | edit | complete
    opinion = fields.TextField(null=True)
    actor_id = fields.BigIntField(null=True)
    actor_name = fields.CharField(64, null=True)
    actor_org_name = fields.CharField(128, null=True)
    detail = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_event"
        indexes = (Index(fields=("case_id", "id")),)


class CaseMaterial(Model):
    id = fields.BigIntField(primary_key=True)
    case = fields.ForeignKeyField("models.Case", related_name="materials", on_delete=fields.CASCADE)
    file_id = fields.UUIDField()
    material_type = fields.CharField(64)  # 身份证明, 户口簿, 收入证明 …
    name = fields.CharField(255)
    mime = fields.CharField(128)
    sort_order = fields.IntField(default=0)
    page_count = fields.IntField(default=1)
    uploaded_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_material"
        indexes = (Index(fields=("case_id", "sort_order")),)


class CalendarDay(Model):
    """Exceptions to Mon–Fri: statutory holidays (workday=False) and make-up workdays (True)."""
    day = fields.DateField(primary_key=True)
    workday = fields.BooleanField()
    note = fields.CharField(64, null=True)

    class Meta:
        table = "calendar_day"
