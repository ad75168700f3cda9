"""WeChat's XML, read defensively: `<xml>` with flat elements, CDATA or not.

Anyone can post to the server URL, and in plaintext mode the body is parsed after the
signature proves it is WeChat's, but safe mode parses the envelope to find what to check. So
every parse is capped in size before the parser sees a byte, refuses any DTD (no entities, no XML
bomb, no external files: `defusedxml`), and reads only the elements it knows, directly under the
root, as text. Nothing else of the document is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

# defusedxml ships no types (and types-defusedxml is not a dependency).
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

# A message is a few kilobytes at most (text content is capped at 2,048 bytes by WeChat); an
# envelope of safe mode is its base64, a third larger. More than this is not WeChat's.
MESSAGE_LIMIT = 64 * 1024
ENVELOPE_LIMIT = 128 * 1024


class BadXml(ValueError):
    """A body that is not a WeChat message: too big, not XML, with a DTD, or not `<xml>`."""


@dataclass(frozen=True)
class WeChatXml:
    """The elements of a message or event that the channel reads ("" when absent)."""

    to_user_name: str = ""  # the account's original id (gh_...)
    from_user_name: str = ""  # the person's openid
    create_time: str = ""  # seconds since 1970
    msg_type: str = ""  # text, image, voice, event, ...
    content: str = ""  # a text's
    msg_id: str = ""  # a message's id (events have none)
    media_id: str = ""  # a voice's or image's media id
    format: str = ""  # a voice's format (amr, speex)
    pic_url: str = ""  # an image's URL
    event: str = ""  # subscribe, unsubscribe, SCAN, CLICK, ...
    event_key: str = ""  # a menu item's key, a QR code's scene ("qrscene_" on subscribe)
    ticket: str = ""  # a QR code's ticket
    bizmsgmenuid: str = ""  # set on a text sent by tapping a weixin://bizmsgmenu link
    job_msg_id: str = ""  # TEMPLATESENDJOBFINISH: the template's msgid (`MsgID`, not `MsgId`)
    status: str = ""  # TEMPLATESENDJOBFINISH: "success", "failed:user block", ...
    encrypt: str = ""  # safe mode: the encrypted message


# Element name -> field of WeChatXml: the only elements read.
ELEMENTS = {
    "ToUserName": "to_user_name",
    "FromUserName": "from_user_name",
    "CreateTime": "create_time",
    "MsgType": "msg_type",
    "Content": "content",
    "MsgId": "msg_id",
    "MediaId": "media_id",
    "Format": "format",
    "PicUrl": "pic_url",
    "Event": "event",
    "EventKey": "event_key",
    "Ticket": "ticket",
    "bizmsgmenuid": "bizmsgmenuid",
    "MsgID": "job_msg_id",
    "Status": "status",
    "Encrypt": "encrypt",
}


def parse_xml(data: bytes, *, limit: int = MESSAGE_LIMIT) -> WeChatXml:
    """The known elements of `data`; BadXml when it is over `limit` bytes, not well-formed,
    declares a DTD or entities, or its root is not `<xml>`."""
    if len(data) > limit:
        raise BadXml(f"{len(data)} bytes, over {limit}")
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise BadXml(f"refused: {type(error).__name__}") from None
    except (ParseError, ValueError) as error:
        raise BadXml(f"not XML: {error}") from None
    if root.tag != "xml":
        raise BadXml(f"the root is <{root.tag[:40]}>, not <xml>")
    found: dict[str, str] = {}
    for element in root:
        name = ELEMENTS.get(element.tag) if isinstance(element.tag, str) else None
        if name is None or name in found or len(element):  # unknown, repeated, or not flat
            continue
        found[name] = element.text or ""
    return WeChatXml(**found)
