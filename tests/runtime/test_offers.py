"""What handlers are offered when several channels run: the answering channel's own."""

from __future__ import annotations


async def test_each_update_gets_its_own_channel_s_offers() -> None:
    from bot.runtime import Offers
    from bot.runtime.core import ANSWERING, offers_of

    async def telegram_file(ref: str) -> bytes:
        return b"tg:" + ref.encode()

    async def whatsapp_file(ref: str) -> bytes:
        return b"wa:" + ref.encode()

    offers = offers_of(
        {
            "telegram": Offers(link_for=lambda c: f"t.me/{c}", fetch_file=telegram_file),
            "whatsapp": Offers(link_for=lambda c: f"wa.me/{c}", fetch_file=whatsapp_file),
            "console": Offers(),
        }
    )
    assert offers.link_for is not None and offers.fetch_file is not None
    assert offers.show_typing is None  # nobody offers it
    assert offers.link_for("K7") == "t.me/K7"  # outside an update: the first channel's
    token = ANSWERING.set("whatsapp")
    try:
        assert offers.link_for("K7") == "wa.me/K7"
        assert await offers.fetch_file("1") == b"wa:1"
    finally:
        ANSWERING.reset(token)
    token = ANSWERING.set("console")
    try:
        assert offers.link_for("K7") == "/join K7"
    finally:
        ANSWERING.reset(token)
