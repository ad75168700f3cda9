"""End to end over real HTTP: the runtime with the WhatsApp channel, the fake Graph API posting
signed web-hooks and recording what the bot sends."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from sqlmodel import select

from bot.core.messages import Reply
from bot.db.models import LessonProgress, MessageReceipt, QuizAnswer, ReceiptStatus
from bot.db.people import find_person
from bot.db.receipts import record_sent
from bot.db.types import utcnow
from bot.i18n import Translator
from tests.channels.whatsapp.conftest import (
    VERIFY_TOKEN,
    LiveWhatsApp,
    running_whatsapp,
    whatsapp_settings,
)
from tests.fakes.graph_server import FakeGraph, GraphUser, Sent
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.outage import DatabaseOutage

es, zh = Translator("es"), Translator("zh")
# What one completed lesson may cost on WhatsApp: a message per card, one to start the quiz and
# one per question (each verdict rides with what comes next).
BUBBLES_PER_LESSON_BOUND = 6


async def idle(live: LiveWhatsApp) -> None:
    """Until the channel has nothing in hand (what the web-hooks posted so far is done)."""
    updates = live.channel.updates
    assert updates is not None
    while updates.tasks:
        await asyncio.wait(set(updates.tasks))


async def tap(live: LiveWhatsApp, user: GraphUser, choice: str) -> list[Sent]:
    """Tap a choice and take the bot's whole answer: every message sent once the channel has
    nothing left in hand (checked: at most two, as one tap must never cost more)."""
    before = len(user.messages())
    await user.tap(choice)  # returns once the web-hook answered: the task is in hand by then
    await idle(live)
    answer = user.messages()[before:]
    await user.wait_messages(len(answer))  # mark them seen
    assert 1 <= len(answer) <= 2, [m.text for m in answer]
    return answer


async def test_lesson_one_with_its_quiz_a_question_and_what_it_costs(
    fake_graph: FakeGraph, database_url: str
) -> None:
    async with (
        FakeOpenAI() as llm,
        running_whatsapp(
            fake_graph,
            whatsapp_settings(fake_graph, database_url, llm_base_url=llm.base_url, llm_api_key="k"),
        ) as live,
    ):
        course = live.runtime.academy.services.courses["sample"]
        first = course.lesson("first-steps", "es")
        ana = fake_graph.user("MX.1001", "Ana", wa_id="5215550001001")
        await ana.send_text("hola")
        (welcome,) = await ana.wait_messages(1)
        assert welcome.text.startswith(es("start.welcome", name="Ana"))  # Spanish from MX.

        bubbles = []
        assert es("start.lesson", number=1) in welcome.text  # numbered, its button "1"
        answer = await tap(live, ana, "1")
        bubbles.append(len(answer))
        assert course.welcome["es"] in answer[-1].text  # the intro and the card: one message
        assert f"📖 Lección 1/2 · {first.title} · 1/{len(first.cards)}" in answer[-1].text
        for _ in range(len(first.cards) - 1):
            bubbles.append(len(await tap(live, ana, es("lesson.next"))))
        (start_quiz,) = ana.messages()[-1].choices()  # its label cut: the full one in the text
        assert es("lesson.start_quiz") in ana.messages()[-1].text
        (question,) = await tap(live, ana, start_quiz[0])
        bubbles.append(1)
        # The options in full in the text, one tap each on the buttons "1", "2" (not a list).
        assert question.interactive_type == "button"
        assert [title for title, _ in question.choices()] == ["1", "2"]
        assert all(option in question.text for option in first.quiz[0].options)
        for number, item in enumerate(first.quiz):
            right = question.choices()[item.answer][0]
            answer = await tap(live, ana, right)
            bubbles.append(len(answer))
            question = answer[-1]
            if number < len(first.quiz) - 1:
                assert "✅" in question.text  # the verdict rides with the next question
        assert question.text.endswith(es("quiz.passed", number=1, right=2, total=2, percent=100))
        assert es("lesson.next_lesson") in [title for title, _ in question.choices()]
        spent = sum(bubbles)
        print(
            f"\nWhatsApp: lesson 1 ({len(first.cards)} cards, {len(first.quiz)} questions) "
            f"cost {spent} messages for {len(bubbles)} taps"
        )
        assert bubbles == [1] * len(bubbles)  # one message a tap
        assert spent == len(first.cards) + len(first.quiz) + 1 <= BUBBLES_PER_LESSON_BOUND

        llm.reply("Tome la foto junto a una ventana, con luz de día [good-photos].")
        asked = await ana.send_text("¿Cómo tomo la foto junto a una ventana con luz del día?")
        (reply,) = await ana.wait_messages(1)
        assert reply.text.startswith("Tome la foto junto a una ventana")
        second = course.lesson("good-photos", "es")
        (lesson_button,) = [t for t, _ in reply.choices() if second.title[:10] in t]
        assert (asked, True) in fake_graph.read_receipts  # read, with "typing…" while the LLM ran
        answer = await tap(live, ana, lesson_button)
        assert answer[-1].text.startswith(f"📖 {second.title}")
        card = await tap(live, ana, "les:go")  # the lesson button: lesson 2 begins
        assert card[-1].text.startswith("📖 Lección 2/2")
        photo = await tap(live, ana, es("lesson.next"))
        # A photo card with its Next button: one message, the photo as its header.
        assert len(photo) == 1 and photo[0].header.get("type") == "image"
        assert fake_graph.media[photo[0].media_id].content.startswith(b"\x89PNG")
        assert all("link" not in str(m.body) for m in ana.messages())

        async with live.runtime.sessions() as session:
            answers = list(await session.exec(select(QuizAnswer)))
            progress = list(await session.exec(select(LessonProgress)))
            receipts = list(await session.exec(select(MessageReceipt)))
        assert len(answers) == 2 and [p.status for p in progress if p.status == "passed"]
        assert {r.message_ref for r in receipts} == {m.wamid for m in ana.messages()}
        person = await live.person("MX.1001")
        assert person.channel_phone == "5215550001001" and person.language == "es"


async def test_statuses_come_back_as_delivered_and_read(live_whatsapp: LiveWhatsApp) -> None:
    fake = live_whatsapp.fake
    ana = fake.user("MX.1002", "Ana")
    await ana.send_text("/help")
    (helped,) = await ana.wait_messages(1)
    await fake.report("delivered")
    assert await fake.post_statuses([fake.status(helped, "read")]) == 200
    await idle(live_whatsapp)  # statuses are applied after their 200, like messages
    async with live_whatsapp.runtime.sessions() as session:
        (row,) = await session.exec(
            select(MessageReceipt).where(MessageReceipt.message_ref == helped.wamid)
        )
    assert row.status is ReceiptStatus.read and row.delivered_at and row.read_at


async def test_a_status_that_overtakes_its_message_s_record_is_applied_later(
    live_whatsapp: LiveWhatsApp,
) -> None:
    """Meta's "delivered" can come before the delivery engine's commit records the wamid of a
    scheduled message: it is tried again a moment later, not lost."""
    fake = live_whatsapp.fake
    ana = fake.user("MX.1004", "Ana")
    await ana.send_text("/help")
    await ana.wait_messages(1)
    await idle(live_whatsapp)
    async with live_whatsapp.runtime.sessions() as session:
        person = await find_person(session, "whatsapp", ana.user_id)
        assert person is not None and person.id is not None
        person_id = person.id
    # A status for a message not recorded yet ...
    assert await fake.post_statuses([fake.status("wamid.LATE", "delivered", user=ana)]) == 200
    # ... whose record commits just after (as the engine's would).
    async with live_whatsapp.runtime.sessions() as session:
        await record_sent(session, "whatsapp", ["wamid.LATE"], person_id, utcnow())
        await session.commit()
    await idle(live_whatsapp)
    async with live_whatsapp.runtime.sessions() as session:
        (row,) = await session.exec(
            select(MessageReceipt).where(MessageReceipt.message_ref == "wamid.LATE")
        )
    assert row.status is ReceiptStatus.delivered and row.delivered_at is not None


async def test_a_duplicate_is_applied_once_and_forged_calls_are_refused(
    live_whatsapp: LiveWhatsApp,
) -> None:
    fake = live_whatsapp.fake
    ana = fake.user("MX.1003", "Ana", wa_id="5215550001003")
    await ana.send_text("/start")
    await ana.wait_messages(1)
    await ana.tap("les:go")
    await ana.wait_messages(1)

    # The same signed tap twice (Meta redelivers): one answer, one change.
    tap = ana.tap_message(es("lesson.next"))
    assert await fake.post_webhook(fake.envelope(ana, [tap]), times=2) == 200
    await ana.wait_messages(1)
    # Once more after the process forgot it: the database knows it was applied.
    live_whatsapp.channel.updates.seen.clear()  # type: ignore[union-attr]
    assert await fake.post_webhook(fake.envelope(ana, [tap])) == 200
    await idle(live_whatsapp)
    assert len(ana.messages()) == 3

    before = len(fake.sent)
    assert await ana.send(ana.text_message("/help"), signing="none") == 401
    assert await ana.send(ana.text_message("/help"), signing="bad") == 401
    assert await fake.post_webhook(b'{"object": "whatsapp_business_account", "entry": [') == 200
    assert await fake.post_webhook({"object": "whatsapp_business_account", "entry": 7}) == 200
    assert await fake.post_webhook(b"x" * (2 * 1024 * 1024)) == 413
    await idle(live_whatsapp)
    assert len(fake.sent) == before  # none of them was handled
    await ana.send_text("/help")  # and the channel still serves
    (helped,) = await ana.wait_messages(1)
    assert helped.text.startswith(es("help.text")[:20])


async def test_the_web_hook_check(live_whatsapp: LiveWhatsApp) -> None:
    async with aiohttp.ClientSession() as client:
        query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
        async with client.get(live_whatsapp.url, params=query) as response:
            assert (response.status, await response.text()) == (200, "42")
        wrong = {**query, "hub.verify_token": "guess"}
        async with client.get(live_whatsapp.url, params=wrong) as response:
            assert response.status == 403 and "42" not in await response.text()


async def test_voice_notes_reach_the_transcription_and_stickers_a_kind_word(
    fake_graph: FakeGraph, database_url: str
) -> None:
    async with (
        FakeOpenAI() as llm,
        running_whatsapp(
            fake_graph,
            whatsapp_settings(
                fake_graph,
                database_url,
                llm_base_url=llm.base_url,
                llm_api_key="k",
                transcription_model="whisper-1",
            ),
        ),
    ):
        llm.transcribe_as("¿Cómo tomo la foto junto a una ventana con luz del día?")
        llm.reply("Junto a una ventana, con luz de día [good-photos].")
        ana = fake_graph.user("MX.1004", "Ana")
        await ana.send_voice(b"OggS-voice-of-ana")
        (answer,) = await ana.wait_messages(1)
        assert answer.text.startswith("Junto a una ventana")
        upload = next(r for r in llm.requests if r.path.endswith("/audio/transcriptions"))
        assert upload.body["file"].content == b"OggS-voice-of-ana"  # downloaded from Meta
        await ana.send(ana.sticker_message())
        (kind,) = await ana.wait_messages(1)
        assert kind.text == es("error.unsupported")


async def test_menu_words_bring_the_menu_as_a_list(live_whatsapp: LiveWhatsApp) -> None:
    ana = live_whatsapp.fake.user("MX.1005", "Ana")
    await ana.send_text("/start")
    await ana.wait_messages(1)
    for typed in ("menú", "0"):
        await ana.send_text(typed)
        (menu,) = await ana.wait_messages(1)
        assert menu.text == es("show_menu.text") and menu.interactive_type == "list"
        assert es("menu.help") in [row["title"] for row in menu.rows]
    await ana.tap(es("menu.help"))
    (helped,) = await ana.wait_messages(1)
    assert helped.text.startswith(es("help.text")[:20])


async def test_a_message_waits_for_the_database_and_the_person_is_told_once(
    fake_graph: FakeGraph, database_url: str
) -> None:
    outage = DatabaseOutage(database_url)
    settings = whatsapp_settings(fake_graph, await outage.start())
    async with running_whatsapp(fake_graph, settings) as live:
        outage.watch(live.runtime.engine)
        updates = live.channel.updates
        assert updates is not None
        tries = asyncio.Event()

        async def pause(_seconds: float) -> None:  # no real backoff
            tries.set()
            await asyncio.sleep(0.01)

        updates.sleep = pause
        li = fake_graph.user("CN.3001", "Li")
        await li.send_text("/help")
        assert [m.text for m in await li.wait_messages(1)] == [zh("help.text")]

        await outage.cut()
        await li.send_text("/language")
        await li.send_text("/help")
        (notice,) = await li.wait_messages(1)
        assert notice.text == zh("error.saved")
        await asyncio.wait_for(tries.wait(), 10)
        await outage.restore()
        answers = await li.wait_messages(2, timeout=10)
        assert [m.text for m in answers] == [zh("language.prompt"), zh("help.text")]
    await outage.stop()


async def test_meta_gets_its_200_before_the_message_is_handled_and_stop_finishes_it(
    fake_graph: FakeGraph, database_url: str
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(ctx):  # a handler that takes its time (an LLM, a big chart)
        started.set()
        await release.wait()
        return Reply("listo")

    settings = whatsapp_settings(fake_graph, database_url)
    async with running_whatsapp(fake_graph, settings) as live:
        live.runtime.academy.router.commands["slow"] = slow
        ana = fake_graph.user("MX.1020", "Ana")
        assert await ana.send(ana.text_message("/slow")) == 200
        await asyncio.wait_for(started.wait(), 5)
        assert ana.messages() == []  # answered 200, still handling
        asyncio.get_running_loop().call_later(0.2, release.set)
    # Leaving the block stopped the channel, which waited for the message in hand.
    (done,) = ana.messages()
    assert done.text == "listo"


async def test_a_big_signed_body_arriving_in_pieces_is_read_whole(
    live_whatsapp: LiveWhatsApp,
) -> None:
    """A thousand statuses (~200 kB) sent chunked, without a length: read whole, signature
    checked on all of it; over 1 MB the same way is refused."""
    from tests.fakes.graph_server import sign

    fake = live_whatsapp.fake
    ana = fake.user("MX.1030", "Ana")
    await ana.send_text("/help")
    (helped,) = await ana.wait_messages(1)
    statuses = [fake.status(f"wamid.OTHER{n}", "delivered") for n in range(999)]
    statuses.append(fake.status(helped, "read"))
    raw = json.dumps(fake.envelope(None, statuses=statuses)).encode()
    assert len(raw) > 100_000

    async def pieces(data: bytes):
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    async def post(data: bytes) -> int:
        headers = {"X-Hub-Signature-256": sign(data, fake.app_secret)}
        async with (
            aiohttp.ClientSession() as client,
            client.post(live_whatsapp.url, data=pieces(data), headers=headers) as response,
        ):
            return response.status

    assert await post(raw) == 200
    await idle(live_whatsapp)  # statuses are applied after their 200, like messages
    async with live_whatsapp.runtime.sessions() as session:
        (row,) = await session.exec(
            select(MessageReceipt).where(MessageReceipt.message_ref == helped.wamid)
        )
    assert row.status is ReceiptStatus.read
    assert await post(b" " * (1024 * 1024 + 1)) == 413


async def test_joining_a_class_from_its_wa_me_link(live_whatsapp: LiveWhatsApp) -> None:
    """The link a lecturer shares opens the chat with "/join CODE" typed: sending it joins."""
    from urllib.parse import parse_qs, urlsplit

    from bot.db.models import Cohort, Person

    async with live_whatsapp.runtime.sessions() as session:
        lecturer = Person(channel="whatsapp", channel_user_id="MX.9000", role="lecturer")
        session.add(lecturer)
        await session.flush()
        session.add(
            Cohort(
                name="Duraznos de Zacatlán",
                course_id="sample",
                timezone="America/Mexico_City",
                lecturer_id=lecturer.id,
                invite_code="ABCD-EFGH",
            )
        )
        await session.commit()
    link = live_whatsapp.runtime.academy.services.link_for("whatsapp", "ABCD-EFGH")
    (typed,) = parse_qs(urlsplit(link).query)["text"]
    ana = live_whatsapp.fake.user("MX.1040", "Ana")
    await ana.send_text(typed)
    (joined,) = await ana.wait_messages(1)
    assert "Duraznos de Zacatlán" in joined.text
    assert (await live_whatsapp.person("MX.1040")).cohort_id is not None
