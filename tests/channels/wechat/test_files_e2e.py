"""End to end over real HTTP: documents on WeChat, which cannot send files. With PUBLIC_URL on the
runtime's own web server, a coordinator's spreadsheet and a trainee's /mydata come as a text with
a download link; fetching it gives the file; another token gives 404. Without PUBLIC_URL, the
honest line in its place."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator

import aiohttp
import openpyxl
import pytest
from sqlmodel import func, select

from bot.channels.wechat.convert import Inbound, Prompt, sender_of
from bot.core.messages import Attachment, Incoming, Reply
from bot.db.models import Delivery, Download, Person
from bot.db.types import utcnow
from bot.i18n import Translator
from bot.scheduling.transport import Result
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.channels.wechat.test_e2e import choices, make_class
from tests.channels.whatsapp.conftest import free_port
from tests.fakes.wechat_api import FakeWeChatAPI, Sent

zh = Translator("zh")
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/files/[A-Za-z0-9_-]+)")


@pytest.fixture
async def live_with_files(
    fake_wechat: FakeWeChatAPI, database_url: str
) -> AsyncIterator[LiveWeChat]:
    port = free_port()
    settings = wechat_settings(
        fake_wechat, database_url, webhook_port=port, public_url=f"http://127.0.0.1:{port}"
    )
    async with running_wechat(fake_wechat, settings) as live:
        yield live


async def add_person(live: LiveWeChat, openid: str, role: str = "trainee") -> None:
    async with live.runtime.sessions() as session:
        session.add(
            Person(
                channel="wechat",
                channel_user_id=openid,
                display_name=openid,
                language="zh",
                language_chosen=True,
                timezone="Asia/Shanghai",
                role=role,
            )
        )
        await session.commit()


async def fetch(url: str) -> tuple[int, bytes, aiohttp.typedefs.LooseHeaders]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), response.headers


def link_in(messages: list[Sent]) -> tuple[Sent, str]:
    found = [(m, match.group(1)) for m in messages if (match := LINK.search(m.text))]
    assert len(found) == 1, [m.text for m in messages]
    return found[0]


async def test_a_coordinator_gets_the_spreadsheet_as_a_link_that_downloads_it(
    live_with_files: LiveWeChat,
) -> None:
    live = live_with_files
    await make_class(live)
    await add_person(live, "oCoord", role="coordinator")
    overview = await live.say("oCoord", "/stats")
    offered = {label: number for m in overview for label, number in choices(m).items()}
    number = offered[zh("stats.export")]
    sent = await live.say("oCoord", number)
    message, url = link_in(sent)
    assert message.msgtype == "text"
    assert message.text.startswith("📎 ") and ".xlsx" in message.text
    assert sent.index(message) == len(sent) - 1  # after the reply's words
    assert any(m.text and "xlsx" not in m.text for m in sent[:-1])  # the words came too
    status, body, headers = await fetch(url)
    assert status == 200
    assert headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    assert ".xlsx" in headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames
    other = url[: -len("AAAA")] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    status, body, _ = await fetch(other)
    assert status == 404
    assert zh("files_page.not_found") in body.decode()


async def test_a_trainee_gets_their_data_as_a_json_link_each_time(
    live_with_files: LiveWeChat,
) -> None:
    live = live_with_files
    await add_person(live, "oAna")
    first = await live.say("oAna", "/mydata")
    assert first[0].text.startswith(zh("privacy.mydata"))
    _, url = link_in(first)
    status, body, headers = await fetch(url)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert 'filename="my-data.json"' in headers["Content-Disposition"]
    data = json.loads(body)
    assert data["person"]["channel_user_id"] == "oAna"
    # Asked again: their earlier download is in their data, its bytes only as a size.
    _, second_url = link_in(await live.say("oAna", "/mydata"))
    assert second_url != url
    status, body, _ = await fetch(second_url)
    again = json.loads(body)
    assert status == 200 and len(again["downloads"]) == 1
    assert again["downloads"][0]["filename"] == "my-data.json"
    assert again["downloads"][0]["data"].endswith("bytes)")
    # Two files, two tokens, each its own: neither link opens the other's bytes.
    status, first_again, _ = await fetch(url)
    assert status == 200 and json.loads(first_again) == data


async def test_a_forgotten_person_s_files_go_with_them(live_with_files: LiveWeChat) -> None:
    live = live_with_files
    await add_person(live, "oBo")
    _, url = link_in(await live.say("oBo", "/mydata"))
    async with live.runtime.sessions() as session:
        from bot.cohorts.privacy import forget

        person = (await session.exec(select(Person).where(Person.channel_user_id == "oBo"))).one()
        await forget(session, person, live.runtime.academy.services.courses, person.created_at)
        await session.commit()
        assert (await session.exec(select(func.count()).select_from(Download))).one() == 0
    status, _, _ = await fetch(url)
    assert status == 404


async def test_without_public_url_the_line_says_to_ask_for_a_copy(
    live_wechat: LiveWeChat,
) -> None:
    live = live_wechat
    await add_person(live, "oCy")
    sent = await live.say("oCy", "/mydata")
    text = "\n".join(m.text for m in sent)
    assert zh("fit.file_elsewhere", filename="my-data.json") in text
    assert "/files/" not in text
    async with live.runtime.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Download))).one() == 0


async def test_a_held_document_waits_in_the_outbox_and_gets_its_link_when_it_goes(
    live_with_files: LiveWeChat,
) -> None:
    """Past the five messages a document waits with the rest (its bytes in the outbox, no link
    made yet); the person's next message sends it, its link made then."""
    live = live_with_files
    await add_person(live, "oCai")
    updates = live.channel.updates
    assert updates is not None
    sheet = Attachment("trainees-1.xlsx", data=b"PK-spreadsheet")
    fitted = [*(Reply(f"第 {n} 条") for n in range(1, 6)), Reply(document=sheet)]
    inbound = Inbound(Incoming.from_text(sender_of("oCai"), "/help"), Prompt.message, utcnow())
    live.fake.person_wrote("oCai")
    async with live.runtime.sessions() as session:
        person = await session.merge(await live.person("oCai"))
        await updates.deliver(session, person, inbound, fitted, "zh")
    assert "/files/" not in "".join(m.text for m in live.fake.messages("oCai"))
    async with live.runtime.sessions() as session:
        held = list(await session.exec(select(Delivery).where(Delivery.status == "pending")))
        assert (await session.exec(select(func.count()).select_from(Download))).one() == 0
    assert [row.attachment for row in held][-1] == b"PK-spreadsheet"

    after = await live.say("oCai", "好")
    _, url = link_in(after)
    status, body, headers = await fetch(url)
    assert (status, body) == (200, b"PK-spreadsheet")
    assert 'filename="trainees-1.xlsx"' in headers["Content-Disposition"]


async def test_a_scheduled_answer_with_a_document_goes_as_a_link_too(
    live_with_files: LiveWeChat,
) -> None:
    live = live_with_files
    await add_person(live, "oDu")
    await live.say("oDu", "/help")  # their window is open
    transport = live.channel.transport
    assert transport is not None
    person = await live.person("oDu")
    sheet = Attachment("answer.pdf", data=b"%PDF-1.4 the lecturer's notes")
    outcome = await transport.send(person, Reply("老师的回答", document=sheet))
    assert outcome.result is Result.sent
    sent = live.fake.messages("oDu")[-2:]
    assert sent[0].text == "老师的回答"
    _, url = link_in(sent)
    status, body, headers = await fetch(url)
    assert (status, body) == (200, b"%PDF-1.4 the lecturer's notes")
    assert headers["Content-Type"].startswith("application/pdf")


def test_telegram_and_whatsapp_still_send_the_document_itself() -> None:
    from bot.channels.telegram.app import CAPABILITIES as TELEGRAM
    from bot.channels.wechat.capabilities import capabilities_for
    from bot.channels.whatsapp.capabilities import CAPABILITIES as WHATSAPP
    from bot.core.fitting import fit_replies

    sheet = Attachment("trainees-1.xlsx", data=b"PK")
    for caps in (TELEGRAM, WHATSAPP):
        assert fit_replies([Reply("📄 表格", document=sheet)], caps) == [
            Reply("📄 表格", document=sheet)
        ]
    assert capabilities_for("https://academy.example.org").documents_as_links
    assert not capabilities_for("").documents_as_links
