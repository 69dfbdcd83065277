"""Models of the shared mechanisms: audit log, stored files, background jobs; and the common fields
a domain's models inherit (RowModel, CreatedModel, TimestampedModel)."""
from tortoise import fields
from tortoise.models import Model


class RowModel(Model):
    """A row keyed by a bigint id (every domain table)."""
    id = fields.BigIntField(primary_key=True)

    class Meta:
        abstract = True


class CreatedModel(RowModel):
    """... that records when it was created."""
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimestampedModel(CreatedModel):
    """... and when it was last saved."""
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditLog(Model):
    """Append-only, SM3 hash-chained. The table is partitioned by month (see migrations)."""
    id = fields.BigIntField(primary_key=True)
    created_at = fields.DatetimeField(db_index=True)
    actor_id = fields.BigIntField(null=True, db_index=True)
    actor_name = fields.CharField(64, null=True)
    actor_kind = fields.CharField(16, null=True)
    org_id = fields.BigIntField(null=True, db_index=True)
    org_name = fields.CharField(128, null=True)
    ip = fields.CharField(64, null=True)
    action = fields.CharField(64, db_index=True)
    object_type = fields.CharField(64, db_index=True)
    object_id = fields.CharField(128, null=True)  # a key with its version or district: `<key>@12`
    summary = fields.CharField(255, null=True)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    prev_hash = fields.CharField(64)
    hash = fields.CharField(64)

    class Meta:
        table = "audit_log"


class StoredFile(Model):
    id = fields.UUIDField(primary_key=True)
    sha256 = fields.CharField(64, db_index=True)
    size = fields.BigIntField()
    mime = fields.CharField(128)
    ext = fields.CharField(16)
    original_name = fields.CharField(255)
    thumb_sha256 = fields.CharField(64, null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    owner_id = fields.BigIntField(null=True, db_index=True)
    org_id = fields.BigIntField(null=True, db_index=True)
    district_code = fields.CharField(6, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stored_file"


class Job(Model):
    """A background job's progress, polled by the screen that started it."""
    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(64, db_index=True)
    status = fields.CharField(16, default="queued")  # queued | running | done | failed
    progress = fields.IntField(default=0)
    total = fields.IntField(default=0)
    message = fields.CharField(255, null=True)
    params = fields.JSONField(default=dict)
    result = fields.JSONField(null=True)
    errors = fields.JSONField(default=list)
    created_by_id = fields.BigIntField(null=True, db_index=True)
    org_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
