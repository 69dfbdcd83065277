"""In-app messages (站内消息) for staff; the push hub delivers them live to open admin tabs."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    account_id = fields.BigIntField()
    kind = fields.CharField(32)  # todo | notice | …
    title = fields.CharField(255)
    body = fields.TextField(null=True)
    link = fields.CharField(255, null=True)  # admin route, e.g. /cases/123
    ref_type = fields.CharField(32, null=True)
    ref_id = fields.CharField(64, null=True)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        indexes = (Index(fields=("account_id", "read_at", "created_at")),
                   Index(fields=("account_id", "created_at")))
