"""SMS request signing against the worked examples in Aliyun's and Tencent Cloud's documentation."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.sms import SmsSendError, aliyun, render_text, tencent

pytestmark = pytest.mark.feature("PUB-01-02", "PUB-01-05", "MOB-01-01", "MOB-01-03")

# Aliyun Dysmsapi "signature" example: SendSms by GET with AccessKey testId / testSecret.
ALIYUN_DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
ALIYUN_DOC_QUERY = (
    "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
    "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
    "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
    "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
)


def test_aliyun_documented_example() -> None:
    assert aliyun.canonical_query(ALIYUN_DOC_PARAMS) == ALIYUN_DOC_QUERY
    assert aliyun.string_to_sign("GET", ALIYUN_DOC_PARAMS) == "GET&%2F&" + aliyun.percent_encode(ALIYUN_DOC_QUERY)
    signature = aliyun.sign("testSecret", "GET", ALIYUN_DOC_PARAMS)
    assert signature == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun.percent_encode(signature) == "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"
    # Signature itself is never part of what is signed.
    assert aliyun.sign("testSecret", "GET", {**ALIYUN_DOC_PARAMS, "Signature": signature}) == signature


def test_aliyun_method_is_part_of_the_signature() -> None:
    assert aliyun.sign("testSecret", "POST", ALIYUN_DOC_PARAMS) != aliyun.sign("testSecret", "GET", ALIYUN_DOC_PARAMS)


@pytest.mark.parametrize(("raw", "encoded"), [
    ("a b", "a%20b"),          # space is %20, not +
    ("a*b", "a%2Ab"),          # * is encoded
    ("a~b-_.", "a~b-_."),      # unreserved characters stay
    ("a+b", "a%2Bb"),
    ("a/b:c", "a%2Fb%3Ac"),
    ("江门", "%E6%B1%9F%E9%97%A8"),  # UTF-8 bytes
])
def test_aliyun_percent_encoding(raw: str, encoded: str) -> None:
    assert aliyun.percent_encode(raw) == encoded


def test_aliyun_signed_params_carry_the_common_parameters() -> None:
    fields = aliyun.signed_params(
        access_key_id="LTAI-x", access_key_secret="s", action="SendSms", nonce="n-1",
        timestamp=datetime(2026, 11, 26, 3, 4, 5, tzinfo=UTC), params={"PhoneNumbers": "13800138000"},
    )
    assert fields["Timestamp"] == "2026-11-26T03:04:05Z"
    assert (fields["Format"], fields["Version"], fields["SignatureMethod"], fields["SignatureVersion"]) == (
        "JSON", "2017-05-25", "HMAC-SHA1", "1.0")
    assert fields["Signature"] == aliyun.sign("s", "POST", fields)
    other = aliyun.signed_params(access_key_id="LTAI-x", access_key_secret="s", action="SendSms",
                                 params={"PhoneNumbers": "13800138000"})
    assert other["SignatureNonce"] != fields["SignatureNonce"]


def test_aliyun_error_keeps_out_the_echoed_string_to_sign() -> None:
    with pytest.raises(SmsSendError) as caught:
        aliyun.parse_send_response({
            "Code": "SignatureDoesNotMatch", "RequestId": "R-1",
            "Message": "Specified signature is not matched with our calculation. server string to sign is:"
                       "POST&%2F&PhoneNumbers%3D13800138000%26TemplateParam%3D%257B%2522code%2522%253A%2522654321",
        })
    err = caught.value
    assert (err.code, err.request_id) == ("SignatureDoesNotMatch", "R-1")
    assert err.provider_message == "Specified signature is not matched with our calculation."
    assert "13800138000" not in str(err) + err.provider_message
    assert aliyun.parse_send_response({"Code": "OK", "BizId": "900619746936498440^0"}) == "900619746936498440^0"


# Tencent Cloud "Signature v3" example: CVM DescribeInstances with the EXAMPLE key pair.
TC_SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
TC_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TC_PAYLOAD = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
TC_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"}
TC_TIMESTAMP = 1551113065


def test_tencent_documented_example() -> None:
    assert tencent.sha256_hex(TC_PAYLOAD) == "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    canonical, signed_headers = tencent.canonical_request(method="POST", uri="/", query="", headers=TC_HEADERS,
                                                          payload=TC_PAYLOAD)
    assert canonical == (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
        "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    )
    assert signed_headers == "content-type;host"
    to_sign = tencent.string_to_sign(TC_TIMESTAMP, "cvm", canonical)
    assert to_sign == ("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
                       "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    assert tencent.signature(TC_SECRET_KEY, TC_TIMESTAMP, "cvm", to_sign) == (
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    assert tencent.authorization(secret_id=TC_SECRET_ID, secret_key=TC_SECRET_KEY, timestamp=TC_TIMESTAMP,
                                 service="cvm", method="POST", headers=TC_HEADERS, payload=TC_PAYLOAD) == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_tencent_credential_date_is_utc() -> None:
    # 1551113065 is 2019-02-26 00:44:25 in Beijing but still 2019-02-25 in UTC.
    assert tencent.credential_scope(TC_TIMESTAMP, "sms") == "2019-02-25/sms/tc3_request"


def test_tencent_extra_signed_header_changes_the_signature() -> None:
    with_action = {**TC_HEADERS, "X-TC-Action": "DescribeInstances"}
    auth = tencent.authorization(secret_id=TC_SECRET_ID, secret_key=TC_SECRET_KEY, timestamp=TC_TIMESTAMP,
                                 service="cvm", method="POST", headers=with_action, payload=TC_PAYLOAD)
    parts = tencent.parse_authorization(auth)
    assert parts is not None
    assert parts["signed_headers"] == "content-type;host;x-tc-action"
    assert parts["signature"] != "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    assert (parts["secret_id"], parts["date"], parts["service"]) == (TC_SECRET_ID, "2019-02-25", "cvm")
    assert tencent.parse_authorization("HMAC-SHA1 Signature=abc") is None


def test_tencent_response_parsing() -> None:
    ok = {"Response": {"SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "Code": "Ok",
                                          "Message": "send success"}], "RequestId": "r"}}
    assert tencent.parse_send_response(ok) == "5000:1045710669157053657849499619"
    with pytest.raises(SmsSendError) as caught:
        tencent.parse_send_response({"Response": {"Error": {
            "Code": "AuthFailure.SignatureFailure",
            "Message": "The provided credentials could not be validated."}, "RequestId": "r2"}})
    assert (caught.value.code, caught.value.request_id) == ("AuthFailure.SignatureFailure", "r2")
    with pytest.raises(SmsSendError, match=r"^短信模板参数与审核通过的模板不一致$"):
        tencent.parse_send_response({"Response": {"SendStatusSet": [{
            "SerialNo": "", "Code": "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "Message": "request content does not match the template content"}], "RequestId": "r3"}})


def test_rendered_text() -> None:
    assert render_text("江门保租房", "verify_code", {"code": "123456"}) == (
        "【江门保租房】您的验证码为123456，5分钟内有效，请勿泄露。")
    with pytest.raises(SmsSendError, match="缺少参数"):
        render_text("江门保租房", "verify_code", {"code": ""})
