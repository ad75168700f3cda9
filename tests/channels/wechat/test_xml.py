"""WeChat's XML read defensively: CDATA or not, only the known flat elements, nothing with a DTD,
nothing over the size cap."""

from __future__ import annotations

import pytest

from bot.channels.wechat.xml import MESSAGE_LIMIT, BadXml, WeChatXml, parse_xml
from tests.fakes.wechat_poster import MALFORMED, bomb, external_entity

TEXT = """<xml>
  <ToUserName><![CDATA[gh_5a1b2c3d4e5f]]></ToUserName>
  <FromUserName><![CDATA[oAbC-ana_001]]></FromUserName>
  <CreateTime>1764500000</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[怎么包装桃子？<不是标签> & 5]]></Content>
  <MsgId>24600000000000001</MsgId>
  <MsgDataId>xxxx</MsgDataId>
  <Idx>0</Idx>
</xml>"""


def test_a_text_message_with_cdata() -> None:
    assert parse_xml(TEXT.encode()) == WeChatXml(
        to_user_name="gh_5a1b2c3d4e5f",
        from_user_name="oAbC-ana_001",
        create_time="1764500000",
        msg_type="text",
        content="怎么包装桃子？<不是标签> & 5",
        msg_id="24600000000000001",
    )


def test_plain_text_escapes_and_cdata_split_around_its_end_marker() -> None:
    body = (
        "<xml><FromUserName>o1</FromUserName><Content>a &amp; b &lt;c&gt;</Content>"
        "<Event><![CDATA[x]]]]><![CDATA[>y]]></Event></xml>"
    )
    parsed = parse_xml(body.encode())
    assert (parsed.content, parsed.event) == ("a & b <c>", "x]]>y")


def test_every_known_element_is_read_and_nothing_else() -> None:
    body = (
        "<xml><MediaId>m</MediaId><Format>amr</Format><PicUrl>http://p</PicUrl>"
        "<Event>SCAN</Event><EventKey>K1</EventKey><Ticket>t</Ticket>"
        "<bizmsgmenuid>0</bizmsgmenuid><Encrypt>e==</Encrypt>"
        "<Recognition>不要读</Recognition><Unknown>?</Unknown></xml>"
    )
    assert parse_xml(body.encode()) == WeChatXml(
        media_id="m",
        format="amr",
        pic_url="http://p",
        event="SCAN",
        event_key="K1",
        ticket="t",
        bizmsgmenuid="0",
        encrypt="e==",
    )


def test_nested_repeated_and_empty_elements() -> None:
    body = (
        "<xml><Content><b>bold</b></Content><MsgType>text</MsgType><MsgType>image</MsgType>"
        "<FromUserName/><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>"
    )
    # A known element that is not flat is skipped; the first of two counts; empty is "".
    assert parse_xml(body.encode()) == WeChatXml(msg_type="text")


def test_a_document_over_the_cap_is_refused_before_parsing() -> None:
    body = b"<xml><Content>" + b"x" * MESSAGE_LIMIT + b"</Content></xml>"
    with pytest.raises(BadXml, match="over"):
        parse_xml(body)
    assert parse_xml(body, limit=2 * MESSAGE_LIMIT).content == "x" * MESSAGE_LIMIT


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (bomb(), "refused"),
        (external_entity(), "refused"),
        (b'<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml/>', "refused"),
        (b"<!DOCTYPE xml><xml><Content>x</Content></xml>", "refused"),
        (MALFORMED, "not XML"),
        (b"", "not XML"),
        (b"success", "not XML"),
        ("<xml><Content>\ud800</Content></xml>".encode("utf-8", "surrogatepass"), "not XML"),
        (b"<message><Content>x</Content></message>", "not <xml>"),
    ],
    ids=[
        "bomb",
        "external",
        "external-dtd",
        "any-dtd",
        "malformed",
        "empty",
        "text",
        "bad-utf8",
        "root",
    ],
)
def test_what_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(BadXml, match=reason):
        parse_xml(body)


def test_deep_nesting_under_the_cap_is_not_a_crash() -> None:
    depth = MESSAGE_LIMIT // 8
    body = b"<xml>" + b"<a>" * depth + b"</a>" * depth + b"<MsgType>text</MsgType></xml>"
    assert len(body) <= MESSAGE_LIMIT
    assert parse_xml(body).msg_type == "text"


def test_utf8_is_read_and_an_encoding_the_parser_lacks_is_refused() -> None:
    body = '<?xml version="1.0" encoding="{}"?><xml><Content>你好</Content></xml>'
    assert parse_xml(body.format("UTF-8").encode()).content == "你好"
    with pytest.raises(BadXml, match="not XML"):  # WeChat sends UTF-8 only
        parse_xml(body.format("GB2312").encode("gb2312"))


def test_a_template_report_reads_msgid_with_a_capital_d_apart_from_a_messages_msgid() -> None:
    body = (
        "<xml><MsgType><![CDATA[event]]></MsgType><Event>TEMPLATESENDJOBFINISH</Event>"
        "<MsgID>200163836</MsgID><Status><![CDATA[failed:user block]]></Status></xml>"
    )
    assert parse_xml(body.encode()) == WeChatXml(
        msg_type="event",
        event="TEMPLATESENDJOBFINISH",
        job_msg_id="200163836",
        status="failed:user block",
    )
