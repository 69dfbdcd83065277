"""Exchange records: every message to or from a partner, and what inbound pushes were stored as.

`exchange_message` is the outbox (direction out, status pending until the relay publishes it),
the inbox (direction in, unique by message id so a message is applied once) and the monitor's
journal of request/reply calls. Bodies carry ID numbers, so they are kept SM4-encrypted.
Unique and partial indexes live in the migration (see 0003): a rejected message may repeat the
id of a genuine one, so the id is unique among the messages that were not rejected.
"""
from __future__ import annotations

from tortoise import fields
from tortoise.indexes import PartialIndex
from tortoise.models import Model

from app.core.pii import EncryptedField, blind_index

DIRECTIONS = {"out": "发送", "in": "接收"}
OUT_STATUSES = {"pending": "待发送", "sent": "已发送", "replied": "已应答", "failed": "失败", "dead": "死信"}
IN_STATUSES = {"received": "已接收", "applied": "已处理", "rejected": "已拒收", "duplicate": "重复"}
STATUSES = {**OUT_STATUSES, **IN_STATUSES}


class ExchangeMessage(Model):
    id = fields.BigIntField(primary_key=True)
    direction = fields.CharField(3, description="out 发送 / in 接收")
    message_id = fields.CharField(64, null=True, description="报文编号（UUIDv7）；格式错误的拒收报文可能没有")
    correlation_id = fields.CharField(64, null=True, db_index=True, description="应答所对应的请求报文编号")
    partner = fields.CharField(32, description="对方系统代码（exchange/partners.py）")
    type = fields.CharField(64, description="报文类型")
    business_no = fields.CharField(64, null=True, db_index=True, description="业务编号")
    status = fields.CharField(16, description="out: pending/sent/replied/failed/dead; in: received/applied/rejected")
    attempts = fields.IntField(default=0, description="发送尝试次数")
    next_attempt_at = fields.DatetimeField(null=True, description="下次发送时间（待发送时）")
    error_code = fields.CharField(32, null=True, description="拒收原因或对方错误代码")
    last_error = fields.CharField(500, null=True, description="最近一次错误说明")
    key_id = fields.CharField(16, null=True, description="数据密钥编号")
    body = EncryptedField(null=True, description="报文内容（JSON，SM4 加密存储）")
    reply = EncryptedField(null=True, description="应答内容（JSON，SM4 加密存储）")
    envelope = EncryptedField(null=True, description="拒收报文的原文（SM4 加密存储，截断至 64KB）")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    sent_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    latency_ms = fields.IntField(null=True, description="耗时（毫秒）：请求到应答，或入队到发出")

    class Meta:
        table = "exchange_message"
        indexes = (
            ("partner", "type", "created_at"),
            ("status", "created_at"),
            PartialIndex(fields=("next_attempt_at",), name="idx_exchange_message_due",
                         condition={"status": "pending"}),
        )


class HouseTransaction(Model):
    """A sale contract pushed by the real-estate trading system (REA-02 new homes, REA-03 second-hand)
    in which a beneficiary takes part. The first buyer and seller are kept as columns; `party_idx`
    holds the blind index of every party's ID number, so the alert module finds a beneficiary's
    transactions with `party_idx @> '["<index>"]'` (GIN index)."""
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(16, description="new 新建商品房 / second_hand 存量房")
    contract_no = fields.CharField(64, description="网签合同编号")
    buyer_name = fields.CharField(128)
    buyer_id_number = EncryptedField(description="（第一）买方证件号码（加密）")
    buyer_id_number_idx = fields.CharField(64, db_index=True)
    seller_name = fields.CharField(128)
    seller_id_number = EncryptedField(description="（第一）卖方证件号码或统一社会信用代码（加密）")
    seller_id_number_idx = fields.CharField(64, db_index=True)
    party_idx = fields.JSONField(default=list, description="全部买卖方证件号码的盲索引")
    matched_idx = fields.JSONField(default=list, description="交易系统比对出的保障对象证件号码的盲索引")
    register_id = fields.CharField(28, null=True, description="不动产单元号")
    unit_address = fields.CharField(255)
    area = fields.DecimalField(10, 2, description="建筑面积（平方米）")
    price_fen = fields.BigIntField(description="成交价（分）")
    signed_on = fields.DateField(db_index=True)
    filed_at = fields.DatetimeField(null=True, description="网签备案时间")
    payload = EncryptedField(description="推送内容（JSON，加密）")
    message_id = fields.CharField(64, db_index=True)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "house_transaction"
        unique_together = (("kind", "contract_no"),)

    async def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        # Keep the blind indexes in step with the encrypted values they index.
        self.buyer_id_number_idx = blind_index(self.buyer_id_number)
        self.seller_id_number_idx = blind_index(self.seller_id_number)
        uf = kwargs.get("update_fields")
        if uf:
            extra = {"buyer_id_number": "buyer_id_number_idx", "seller_id_number": "seller_id_number_idx"}
            kwargs["update_fields"] = list(uf) + [extra[f] for f in uf if f in extra]
        await super().save(*args, **kwargs)


class AccessEvent(Model):
    """One pass through an access-controlled door (INT-14). Partitioned by month of occurred_at;
    an event the door system sends again (same event id and time) is stored once. Rows are
    bulk-inserted, so writers set `person_id_number_idx` themselves."""
    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(64, description="门禁系统的事件编号")
    occurred_at = fields.DatetimeField(db_index=True)
    person_id_number = EncryptedField(description="通行人证件号码（加密）")
    person_id_number_idx = fields.CharField(64)
    person_name = fields.CharField(64, null=True)
    door = fields.CharField(64, description="门禁点")
    community_code = fields.CharField(32, description="小区编码")
    direction = fields.CharField(3, description="in 进 / out 出")
    method = fields.CharField(16, description="face 人脸 / card 刷卡 / qr 二维码 / password 密码")
    message_id = fields.CharField(64, db_index=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "access_event"
        indexes = (("person_id_number_idx", "occurred_at"), ("community_code", "occurred_at"))
