"""End to end over real HTTP: the runtime with the WeChat channel, the poster posting as WeChat,
the fake API recording what the bot sends."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.channels.wechat.convert import Inbound, Prompt, sender_of
from bot.core.messages import Incoming, Reply
from bot.db.models import Cohort, Delivery, LessonProgress, Membership, Person, QuizAnswer
from bot.db.types import utcnow
from bot.i18n import Translator
from tests.channels.wechat.conftest import LiveWeChat
from tests.fakes.wechat_api import Sent

zh = Translator("zh")
# What one completed lesson may cost on WeChat: a message per card, one per quiz question.
MESSAGES_PER_LESSON_BOUND = 6
CODE = "PGFK-2345"
CHOICE_LINE = re.compile(r"^(\d+) (.+)$", re.MULTILINE)


def choices(message: Sent) -> dict[str, str]:
    """The numbered choices a text offers: label -> the number to type."""
    return {label.strip(): number for number, label in CHOICE_LINE.findall(message.text)}


async def make_class(live: LiveWeChat) -> None:
    async with live.runtime.sessions() as session:
        lecturer = Person(
            channel="wechat",
            channel_user_id="oLecturer",
            display_name="王老师",
            language="zh",
            language_chosen=True,
            timezone="Asia/Shanghai",
            role="lecturer",
        )
        session.add(lecturer)
        await session.flush()
        session.add(
            Cohort(
                name="平谷妇联一班",
                course_id="sample",
                timezone="Asia/Shanghai",
                lecturer_id=lecturer.id,
                invite_code=CODE,
            )
        )
        await session.commit()


async def test_a_trainee_follows_by_the_class_qr_and_does_lesson_one_by_typing_numbers(
    live_wechat: LiveWeChat,
) -> None:
    live = live_wechat
    await make_class(live)
    course = live.runtime.academy.services.courses["sample"]
    first = course.lesson("first-steps", "zh")

    # Scanning the class QR code follows the account: welcomed and in the class, one message.
    (welcome,) = await live.event("oAna", "subscribe", f"qrscene_{CODE}")
    assert welcome.msgtype == "text"
    assert "平谷妇联一班" in welcome.text and "✅" in welcome.text
    async with live.runtime.sessions() as session:
        person = await live.person("oAna")
        (membership,) = await session.exec(
            select(Membership).where(Membership.person_id == person.id)
        )
    assert person.language == "zh" and membership is not None

    taps = 0
    start = choices(welcome)[zh("start.lesson", number=1)]
    sent = await live.say("oAna", f"回复{start}")  # as people copy the hint
    taps += 1
    assert sent[-1].text.count("📖") == 1 and f"{first.title}" in sent[-1].text
    taps_to_first_card = taps

    per_tap = [len(sent)]
    for _ in range(len(first.cards) - 1):
        sent = await live.say("oAna", choices(sent[-1])[zh("lesson.next")])
        per_tap.append(len(sent))
    sent = await live.say("oAna", choices(sent[-1])[zh("lesson.start_quiz")])
    per_tap.append(len(sent))
    for number, item in enumerate(first.quiz):
        question = sent[-1]
        assert item.text in question.text
        sent = await live.say("oAna", choices(question)[item.options[item.answer]])
        per_tap.append(len(sent))
        if number < len(first.quiz) - 1:
            assert "✅" in sent[-1].text or item.explanations[item.answer] in sent[-1].text
    assert zh("quiz.passed", number=1, right=2, total=2, percent=100) in sent[-1].text
    # The quiz's first message is the first question: lesson 1 = its cards, its questions.
    spent = sum(per_tap)
    print(
        f"\nWeChat: lesson 1 ({len(first.cards)} cards, {len(first.quiz)} questions) cost "
        f"{spent} messages for {len(per_tap)} typed numbers; {taps_to_first_card} typed "
        "number(s) after the QR scan to the first lesson card"
    )
    assert per_tap == [1] * len(per_tap)  # one message a typed number
    assert spent <= MESSAGES_PER_LESSON_BOUND and taps_to_first_card == 1
    assert all(m.msgtype == "text" for m in live.fake.messages("oAna"))
    assert not live.fake.errors_answered  # never over WeChat's budget

    async with live.runtime.sessions() as session:
        answers = list(await session.exec(select(QuizAnswer)))
        progress = list(await session.exec(select(LessonProgress)))
    assert len(answers) == 2 and any(p.status == "passed" for p in progress)


async def test_a_message_wechat_posts_twice_is_answered_once(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    xml = live.poster.text("oBo", "/help")
    first = await live.post("oBo", xml, "text")
    again = await live.post("oBo", xml, "text")  # WeChat's retry: same MsgId
    assert len(first) == 1 and again == []
    # Forged and malformed calls are refused or dropped, nothing sent.
    assert (await live.poster.post(live.poster.text("oBo", "/help"), signing="bad")).status == 403
    assert (await live.poster.post(b"<xml><MsgType>text")).text == "success"
    await live.idle()
    assert len(live.fake.messages("oBo")) == 1


async def test_past_five_messages_the_rest_waits_for_the_next_message(
    live_wechat: LiveWeChat,
) -> None:
    """An answer of seven messages: five go (the fifth asks to reply to go on), two wait in the
    outbox, held from the delivery engine, and go first when the person writes again."""
    live = live_wechat
    (hello,) = await live.say("oCai", "/help")
    updates = live.channel.updates
    assert updates is not None
    many = [Reply(f"第 {n} 条") for n in range(1, 8)]
    incoming = Incoming.from_text(sender_of("oCai"), "/help")
    inbound = Inbound(incoming, Prompt.message, utcnow())
    live.fake.person_wrote("oCai")
    async with live.runtime.sessions() as session:
        person = await live.person("oCai")
        person = await session.merge(person)
        await updates.deliver(session, person, inbound, many, "zh")
    sent = live.fake.messages("oCai")[1:]
    assert [m.text.split("\n")[0] for m in sent] == [f"第 {n} 条" for n in range(1, 6)]
    assert sent[-1].text.endswith(zh("fit.reply_to_continue"))
    async with live.runtime.sessions() as session:
        held = list(await session.exec(select(Delivery).where(Delivery.status == "pending")))
    assert len(held) == 2 and all(row.due_at > utcnow() for row in held)
    assert not live.fake.errors_answered

    after = await live.say("oCai", "好")  # only "go on": not a question for the course
    assert [m.text for m in after] == ["第 6 条", "第 7 条"]
    async with live.runtime.sessions() as session:
        waiting = list(await session.exec(select(Delivery).where(Delivery.status == "pending")))
    assert waiting == [] and hello.text


async def test_after_a_follow_three_messages_go_within_the_minute(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    await live.event("oGao", "subscribe")
    updates = live.channel.updates
    assert updates is not None
    incoming = Incoming.from_text(sender_of("oGao"), "/start")
    inbound = Inbound(incoming, Prompt.follow, utcnow())  # a second follow event
    live.fake.person_wrote("oGao", "subscribe")
    before = len(live.fake.messages("oGao"))
    async with live.runtime.sessions() as session:
        person = await session.merge(await live.person("oGao"))
        four = [Reply(f"第 {n} 条") for n in (1, 2, 3, 4)]
        await updates.deliver(session, person, inbound, four, "zh")
    sent = live.fake.messages("oGao")[before:]
    assert len(sent) == 3 and sent[-1].text.endswith(zh("fit.reply_to_continue"))
    assert not live.fake.errors_answered
