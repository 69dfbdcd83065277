"""Audit chain anchors: the signed chain head, kept where the application cannot rewrite it.

A schema `audit_anchor` owned by the role `arh_audit_owner` (NOLOGIN) holds two tables:
`anchor` (the chain head: last id and hash, SM2-signed with the platform key) and `receipt`
(the timestamp service's signed receipt for an anchor). The role running the migration, which is
the application's role, is granted INSERT and SELECT only. In production the application connects
as a role that owns neither the schema nor the tables (and is not a superuser), so it can add
anchors but never change or remove one. Where it does connect as the owner or a superuser (the
development default, `postgres`), triggers refuse UPDATE, DELETE and TRUNCATE as a second line; a
superuser can drop a trigger, which is why the anchor is also sent to the timestamp service.
"""
from tortoise import migrations
from tortoise.migrations import operations as ops

UP = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'arh_audit_owner') THEN
        CREATE ROLE arh_audit_owner NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database of the cluster created it at the same moment
END $$;
CREATE SCHEMA audit_anchor AUTHORIZATION arh_audit_owner;
CREATE TABLE audit_anchor.anchor (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    kind varchar(16) NOT NULL,
    head_id bigint NOT NULL,
    head_hash char(64) NOT NULL,
    row_count bigint NOT NULL,
    signer varchar(32) NOT NULL,
    signed_text text NOT NULL,
    signature text NOT NULL
);
CREATE INDEX idx_anchor_head ON audit_anchor.anchor (head_id);
CREATE TABLE audit_anchor.receipt (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    anchor_id bigint NOT NULL REFERENCES audit_anchor.anchor (id),
    received_at timestamptz NOT NULL DEFAULT now(),
    authority varchar(32) NOT NULL,
    serial_no varchar(64) NOT NULL,
    timestamped_at timestamptz NOT NULL,
    head_hash char(64) NOT NULL,
    signed_text text NOT NULL,
    signature text NOT NULL,
    message_id varchar(64),
    UNIQUE (anchor_id, serial_no)
);
CREATE FUNCTION audit_anchor.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计锚点只能追加，不能修改或删除' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER anchor_append_only BEFORE UPDATE OR DELETE ON audit_anchor.anchor
    FOR EACH ROW EXECUTE FUNCTION audit_anchor.refuse_change();
CREATE TRIGGER anchor_no_truncate BEFORE TRUNCATE ON audit_anchor.anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor.refuse_change();
CREATE TRIGGER receipt_append_only BEFORE UPDATE OR DELETE ON audit_anchor.receipt
    FOR EACH ROW EXECUTE FUNCTION audit_anchor.refuse_change();
CREATE TRIGGER receipt_no_truncate BEFORE TRUNCATE ON audit_anchor.receipt
    FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor.refuse_change();
ALTER TABLE audit_anchor.anchor OWNER TO arh_audit_owner;
ALTER TABLE audit_anchor.receipt OWNER TO arh_audit_owner;
ALTER FUNCTION audit_anchor.refuse_change() OWNER TO arh_audit_owner;
REVOKE ALL ON SCHEMA audit_anchor FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA audit_anchor FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA audit_anchor TO %I', current_user);
    EXECUTE format('GRANT SELECT, INSERT ON audit_anchor.anchor, audit_anchor.receipt TO %I', current_user);
END $$;
"""

DOWN = """
DROP SCHEMA audit_anchor CASCADE;
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0007_unit_table_version_progress_area')]

    initial = False

    operations = [
        ops.RunSQL(UP, reverse_sql=DOWN),
    ]
