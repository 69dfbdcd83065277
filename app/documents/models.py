"""Document templates, issued (sealed) documents, and the orgs' signing certificates."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class DocumentTemplate(Model):
    """A sandboxed Jinja2 HTML template; each save is a new version."""
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(64)  # e.g. eligibility_certificate
    version = fields.IntField()
    name = fields.CharField(128)
    case_type = fields.CharField(64, null=True, db_index=True)  # issued on completion of this type, if set
    html = fields.TextField()
    sample = fields.JSONField(default=dict)  # sample context for the live preview
    enabled = fields.BooleanField(default=True)
    created_by_id = fields.BigIntField(null=True)
    created_by_name = fields.CharField(64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document_template"
        unique_together = (("key", "version"),)


class SigningCertificate(Model):
    """An org's e-seal certificate; the private key is stored SM4-GCM encrypted (app.core.crypto)."""
    id = fields.BigIntField(primary_key=True)
    org_id = fields.BigIntField(db_index=True)
    subject = fields.CharField(255)
    serial = fields.CharField(64, unique=True)
    cert_pem = fields.TextField()
    key_encrypted = fields.BinaryField()
    seal_png_sha256 = fields.CharField(64, null=True)  # the visible seal image in the file store
    valid_from = fields.DatetimeField()
    valid_to = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "signing_certificate"


class IssuedDocument(Model):
    """A sealed PDF. The QR code on it points at the public verify page for `id`."""
    id = fields.UUIDField(primary_key=True)
    number = fields.CharField(32, unique=True)
    template_id = fields.BigIntField()
    template_key = fields.CharField(64)
    title = fields.CharField(255)
    case_id = fields.BigIntField(null=True, db_index=True)
    issuer_org_id = fields.BigIntField(db_index=True)
    issuer_org_name = fields.CharField(128)
    certificate_id = fields.BigIntField()
    file_id = fields.UUIDField()
    sha256 = fields.CharField(64, db_index=True)  # of the sealed PDF
    status = fields.CharField(16, default="valid")  # valid | revoked
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(255, null=True)
    issued_by_id = fields.BigIntField(null=True)
    issued_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "issued_document"
        indexes = (Index(fields=("issuer_org_id", "issued_at")),)
