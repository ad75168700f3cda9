"""Golden tests: every message and event WeChat posts -> what the core reads, in plaintext and
inside safe mode's envelope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.wechat.convert import (
    USER_BLOCK,
    Inbound,
    Prompt,
    TemplateReport,
    Unfollowed,
    read_message,
)
from bot.channels.wechat.crypto import MessageCipher
from bot.channels.wechat.xml import ENVELOPE_LIMIT, parse_xml
from bot.core.messages import Incoming, Kind, Sender
from bot.core.payloads import OpenLesson
from bot.db.models import ReceiptStatus
from bot.db.receipts import Receipt
from tests.fakes.wechat_poster import seal, xml_of

ANA_ID = "oAbC-ana_001"
ANA = Sender("wechat", ANA_ID, language_hint="zh")
AT = 1764500000
SENT = datetime.fromtimestamp(AT, UTC)
MSG_ID = "24600000000000001"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"
Result = Inbound | Unfollowed | TemplateReport | None
TEMPLATE_ID = "200163836"  # a template's msgid, as WeChat's job-finish event names it


def message(msg_type: str, **elements: str) -> dict[str, str | int]:
    return {
        "ToUserName": "gh_5a1b2c3d4e5f",
        "FromUserName": ANA_ID,
        "CreateTime": AT,
        "MsgType": msg_type,
        **elements,
        "MsgId": MSG_ID,
    }


def event(name: str, key: str | None = None, **elements: str) -> dict[str, str | int]:
    fields: dict[str, str | int] = {
        "ToUserName": "gh_5a1b2c3d4e5f",
        "FromUserName": ANA_ID,
        "CreateTime": AT,
        "MsgType": "event",
        "Event": name,
    }
    if key is not None:
        fields["EventKey"] = key
    return fields | elements


def said(incoming: Incoming, prompt: Prompt = Prompt.message, **extra: str) -> Inbound:
    return Inbound(incoming, prompt, SENT, **extra)


def start(code: str, ref: str, prompt: Prompt) -> Inbound:
    incoming = Incoming(ANA, Kind.command, command="start", text=code, update_ref=ref)
    return Inbound(incoming, prompt, SENT)


def ref_of(name: str, key: str = "") -> str:
    return f"{ANA_ID}:{AT}:{name}" + (f":{key}" if key else "")


def finished(status: str) -> dict[str, str | int]:
    """TEMPLATESENDJOBFINISH as WeChat posts it: `MsgID` (not `MsgId`) and `Status`."""
    return event("TEMPLATESENDJOBFINISH", MsgID=TEMPLATE_ID, Status=status)


def report(status: ReceiptStatus, code: int | None = None) -> TemplateReport:
    receipt = Receipt(TEMPLATE_ID, status, SENT, error_code=code)
    return TemplateReport(ANA_ID, receipt, ref_of("TEMPLATESENDJOBFINISH", TEMPLATE_ID))


GOLDEN: list[tuple[str, dict[str, str | int], Result]] = [
    (
        "text",
        message("text", Content="怎么包装桃子？"),
        said(
            Incoming(ANA, Kind.text, text="怎么包装桃子？", message_ref=MSG_ID, update_ref=MSG_ID)
        ),
    ),
    (
        "command",
        message("text", Content="/join ABC123"),
        said(
            Incoming(
                ANA,
                Kind.command,
                text="ABC123",
                command="join",
                message_ref=MSG_ID,
                update_ref=MSG_ID,
            )
        ),
    ),
    (
        "bizmsgmenu-tap",  # the id has been seen as "0": kept, checked against the content
        message("text", Content="2", bizmsgmenuid="0"),
        said(
            Incoming(
                ANA, Kind.text, text="2", message_ref=MSG_ID, update_ref=MSG_ID, choice_id="0"
            ),
            menu_id="0",
        ),
    ),
    (
        "bizmsgmenu-tap-with-its-id",
        message("text", Content="下一张", bizmsgmenuid="3"),
        said(
            Incoming(
                ANA, Kind.text, text="下一张", message_ref=MSG_ID, update_ref=MSG_ID, choice_id="3"
            ),
            menu_id="3",
        ),
    ),
    (
        "empty-text",
        message("text", Content="  "),
        said(Incoming(ANA, Kind.unsupported, message_ref=MSG_ID, update_ref=MSG_ID)),
    ),
    (
        "voice",  # WeChat's own transcript is not read
        message("voice", MediaId="media-voice-1", Format="AMR", Recognition="我想上课"),
        said(
            Incoming(
                ANA,
                Kind.voice,
                file_ref="media-voice-1",
                message_ref=MSG_ID,
                update_ref=MSG_ID,
                file_format="amr",  # for the handler: WeChat's AMR is converted first
            ),
        ),
    ),
    (
        "image",
        message("image", PicUrl="http://mmbiz.qpic.cn/x/0", MediaId="media-photo-1"),
        said(
            Incoming(
                ANA, Kind.photo, file_ref="media-photo-1", message_ref=MSG_ID, update_ref=MSG_ID
            )
        ),
    ),
    (
        "voice-without-media",
        message("voice", Format="amr"),
        said(
            Incoming(ANA, Kind.unsupported, message_ref=MSG_ID, update_ref=MSG_ID),
        ),
    ),
    (
        "video",
        message("video", MediaId="m", ThumbMediaId="t"),
        said(Incoming(ANA, Kind.unsupported, message_ref=MSG_ID, update_ref=MSG_ID)),
    ),
    (
        "location",
        message("location", Location_X="40.1", Location_Y="117.1", Scale="15", Label="平谷"),
        said(Incoming(ANA, Kind.unsupported, message_ref=MSG_ID, update_ref=MSG_ID)),
    ),
    (
        "follow",
        event("subscribe", ""),
        start("", ref_of("subscribe"), Prompt.follow),
    ),
    (
        "follow-by-class-qr",
        event("subscribe", "qrscene_PG2026", Ticket="gQH47joAAAAAAAAAASxodHRw"),
        start("PG2026", ref_of("subscribe", "qrscene_PG2026"), Prompt.follow),
    ),
    (
        "follow-by-numeric-qr",
        event("subscribe", "qrscene_123"),
        start("123", ref_of("subscribe", "qrscene_123"), Prompt.follow),
    ),
    (
        "scan-while-following",
        event("SCAN", "PG2026", Ticket="gQH47joAAAAAAAAAASxodHRw"),
        start("PG2026", ref_of("SCAN", "PG2026"), Prompt.scan),
    ),
    (
        "menu-say",
        event("CLICK", "say:上课"),
        said(
            Incoming(ANA, Kind.text, text="上课", update_ref=ref_of("CLICK", "say:上课")),
            Prompt.menu_click,
        ),
    ),
    (
        "menu-command",
        event("CLICK", "/progress"),
        said(
            Incoming(
                ANA, Kind.command, command="progress", update_ref=ref_of("CLICK", "/progress")
            ),
            Prompt.menu_click,
        ),
    ),
    (
        "menu-payload",
        event("CLICK", OpenLesson().pack()),
        said(
            Incoming(
                ANA,
                Kind.button,
                payload=OpenLesson().pack(),
                update_ref=ref_of("CLICK", OpenLesson().pack()),
            ),
            Prompt.menu_click,
        ),
    ),
    ("menu-without-key", event("CLICK"), None),
    ("unfollow", event("unsubscribe", ""), Unfollowed(ANA_ID, SENT, ref_of("unsubscribe"))),
    ("menu-link", event("VIEW", "https://academy.example/lesson"), None),
    ("location-report", event("LOCATION", Latitude="40.1", Longitude="117.1"), None),
    ("template-report-without-msgid", event("TEMPLATESENDJOBFINISH", Status="success"), None),
    ("template-delivered", finished("success"), report(ReceiptStatus.delivered)),
    (
        "template-user-block",
        finished("failed:user block"),
        report(ReceiptStatus.failed, USER_BLOCK),
    ),
    ("template-system-failed", finished("failed: system failed"), report(ReceiptStatus.failed)),
    ("template-unknown-status", finished("queued"), report(ReceiptStatus.failed)),
    ("no-sender", message("text", Content="hi", FromUserName=""), None),
]


@pytest.mark.parametrize(
    ("elements", "expected"), [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN]
)
def test_plaintext(elements: dict[str, str | int], expected: Result) -> None:
    assert read_message(parse_xml(xml_of(elements))) == expected


@pytest.mark.parametrize(
    ("elements", "expected"), [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN]
)
def test_inside_the_safe_mode_envelope(elements: dict[str, str | int], expected: Result) -> None:
    envelope = xml_of(
        {
            "ToUserName": "gh_5a1b2c3d4e5f",
            "Encrypt": seal(xml_of(elements), ENCODING_AES_KEY, APP_ID),
        }
    )
    opened = parse_xml(envelope, limit=ENVELOPE_LIMIT)
    assert (opened.from_user_name, opened.msg_type) == ("", "")  # nothing but the ciphertext
    inner = MessageCipher(ENCODING_AES_KEY, APP_ID).decrypt(opened.encrypt)
    assert read_message(parse_xml(inner)) == expected


def test_a_message_without_msgid_is_known_by_who_and_when() -> None:
    elements = message("text", Content="你好")
    del elements["MsgId"]
    inbound = read_message(parse_xml(xml_of(elements)))
    assert isinstance(inbound, Inbound)
    assert inbound.incoming.update_ref == f"{ANA_ID}:{AT}:"


def test_a_long_event_key_keeps_the_ref_within_the_database_column() -> None:
    inbound = read_message(parse_xml(xml_of(event("CLICK", "say:" + "上" * 200))))
    assert isinstance(inbound, Inbound)
    assert len(inbound.incoming.update_ref) == 128


def test_a_time_that_is_not_one_is_now() -> None:
    elements = message("text", Content="你好", CreateTime="yesterday")
    before = datetime.now(UTC)
    inbound = read_message(parse_xml(xml_of(elements)))
    assert isinstance(inbound, Inbound) and inbound.sent_at >= before


def test_two_templates_finishing_in_one_second_are_two_reports() -> None:
    """Events are told apart by who, when and what; two job-finish events of one person in the
    same second differ only by their MsgID, so it is part of the ref."""
    first = read_message(parse_xml(xml_of(finished("success"))))
    second = read_message(parse_xml(xml_of(finished("success") | {"MsgID": "200163837"})))
    assert isinstance(first, TemplateReport) and isinstance(second, TemplateReport)
    assert first.update_ref != second.update_ref
    assert second.receipt.message_ref == "200163837"


@pytest.mark.parametrize("status", ["failed:user block", "FAILED: USER BLOCK", "failed:userblock"])
def test_a_user_block_however_it_is_spaced(status: str) -> None:
    taken = read_message(parse_xml(xml_of(finished(status))))
    assert isinstance(taken, TemplateReport)
    assert (taken.receipt.status, taken.receipt.error_code) == (ReceiptStatus.failed, USER_BLOCK)
