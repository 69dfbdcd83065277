"""Orgs, accounts and roles."""
from tortoise import fields
from tortoise.models import Model

from app.core.pii import EncryptedField, blind_index

ORG_KINDS = ("GOV", "BUILDER", "OPERATOR")
ACCOUNT_KINDS = ("STAFF", "PERSON", "PARTNER")
POSITIONS = ("supervisor", "clerk")


class Org(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(16, db_index=True)
    name = fields.CharField(128, unique=True)
    credit_code = fields.CharField(18, null=True, unique=True)  # 统一社会信用代码
    parent = fields.ForeignKeyField("models.Org", related_name="children", null=True,
                                    on_delete=fields.RESTRICT)
    district_code = fields.CharField(6, db_index=True)
    level = fields.CharField(16, default="org")  # city | district for GOV, org otherwise
    address = fields.CharField(255, null=True)
    contact_name = fields.CharField(64, null=True)
    contact_phone = EncryptedField(null=True)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "org"


class Role(Model):
    id = fields.BigIntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="roles", on_delete=fields.CASCADE)
    name = fields.CharField(64)
    description = fields.CharField(255, null=True)
    permissions = fields.JSONField(default=list)
    builtin = fields.BooleanField(default=False)
    # Holders log in with a second factor (SMS code or bound CA certificate).
    second_factor = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "role"
        unique_together = (("org", "name"),)


class Account(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(16, db_index=True)
    login_name = fields.CharField(64, null=True, unique=True)
    name = fields.CharField(64, db_index=True)
    org = fields.ForeignKeyField("models.Org", related_name="accounts", null=True,
                                 on_delete=fields.RESTRICT)
    position = fields.CharField(16, null=True)
    is_org_main = fields.BooleanField(default=False)
    id_number = EncryptedField(null=True)
    id_number_idx = fields.CharField(64, null=True, db_index=True)
    phone = EncryptedField(null=True)
    phone_idx = fields.CharField(64, null=True, db_index=True)
    password_hash = fields.CharField(255, null=True)
    enabled = fields.BooleanField(default=True)
    locked = fields.BooleanField(default=False)  # locked by an administrator
    must_change_password = fields.BooleanField(default=False)
    # Opted in to a second factor at login even when no role of the account asks for one.
    second_factor = fields.BooleanField(default=False, db_default=False)
    ca_cert_sn = fields.CharField(64, null=True)
    ca_cert_subject = fields.CharField(255, null=True)
    ca_valid_to = fields.DateField(null=True)
    ca_enabled = fields.BooleanField(default=False)
    ca_bound_at = fields.DatetimeField(null=True)
    hired_on = fields.DateField(null=True, db_index=True)
    left_on = fields.DateField(null=True)
    partner_code = fields.CharField(32, null=True, unique=True)
    password_changed_at = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    roles = fields.ManyToManyField("models.Role", related_name="accounts", through="account_role")

    class Meta:
        table = "account"

    async def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        # Keep blind indexes in step with the encrypted values they index.
        self.id_number_idx = blind_index(self.id_number)
        self.phone_idx = blind_index(self.phone)
        uf = kwargs.get("update_fields")
        if uf:
            extra = {"id_number": "id_number_idx", "phone": "phone_idx"}
            kwargs["update_fields"] = list(uf) + [extra[f] for f in uf if f in extra]
        await super().save(*args, **kwargs)
