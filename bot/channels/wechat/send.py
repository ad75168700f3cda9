"""One fitted Reply -> WeChat customer-service messages (bot.channels.wechat.client).

The fitting already made each Reply one message WeChat can show: a text (its choices numbered in
it, "回复 1–N"), or an image alone (WeChat has no captions: the words go in the next Reply). No
An image is uploaded first and sent by its media_id; an image a person sent (its MediaId as
`ref`) is sent again by that id. WeChat cannot send documents: with a PUBLIC_URL the fitting
keeps a document in a Reply of its own and `file_line` stores it and gives the text with its
download link (bot.channels.wechat.files); without, the fitting wrote a line in its place.

The numbered choices become tappable as the account's WECHAT_CHOICES says
(bot.channels.wechat.tappable): links in the text, or a menu message; a menu WeChat refuses
(48001: the account is not verified) goes again as the text with links.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.channels.wechat.tappable import ChoiceStyle, MenuMessage, shaped
from bot.core.messages import Attachment, Reply

log = logging.getLogger(__name__)
API_UNAUTHORIZED = 48001  # e.g. a menu message from an account that is not verified
# A document -> the text that gives its download link, in the person's language.
FileLine = Callable[[Attachment], Awaitable[str]]


async def send_reply(
    client: WeChatClient,
    openid: str,
    reply: Reply,
    *,
    style: ChoiceStyle = ChoiceStyle.links,
    file_line: FileLine | None = None,
) -> int:
    """Send one fitted Reply to `openid`, its choices offered in `style`, a document as the text
    `file_line` gives (its link); how many messages left (0 for an empty reply, or a document
    without `file_line`). Raises WeChatError or aiohttp's errors as the API or the network
    fail."""
    sent = 0
    if reply.image is not None:
        media_id = await _media_id(client, reply.image)
        await client.send_image(openid, media_id)
        sent += 1
    if reply.document is not None:
        if file_line is None:
            name = reply.document.filename
            log.warning("a document %r reached the WeChat sender without a way to link it", name)
        else:
            await client.send_text(openid, await file_line(reply.document))
            sent += 1
    text = reply.text.strip()
    if text:
        await _send_text(client, openid, text, reply, style)
        sent += 1
    return sent


async def _send_text(
    client: WeChatClient, openid: str, text: str, reply: Reply, style: ChoiceStyle
) -> None:
    message = shaped(text, reply.numbered, style)
    if isinstance(message, MenuMessage):
        try:
            await client.send_menu(openid, message.head, list(message.items), message.tail)
            return
        except WeChatError as error:
            if error.errcode != API_UNAUTHORIZED:
                raise
            log.warning("WeChat refused a menu message (%s): set WECHAT_CHOICES=links", error)
            message = shaped(text, reply.numbered, ChoiceStyle.links)
    assert not isinstance(message, MenuMessage)
    await client.send_text(openid, message.content)


async def _media_id(client: WeChatClient, image: Attachment) -> str:
    """The image's media_id: uploaded when the bot has its bytes, else the WeChat id it came
    with."""
    if image.ref is not None and image.data is None and image.path is None:
        return image.ref
    return await client.upload_image(image.read(), image.filename or "image.png")
