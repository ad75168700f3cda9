"""Choices a person answers by typing: where a channel shows no buttons (WeChat) the Academy keeps
the numbered choices it sent, in the answer's commit, and reads "2", "回复2", "２" or a choice's
words as that choice's tap; WhatsApp's numbered buttons too. Telegram keeps nothing."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from sqlmodel import select

from bot.core.capabilities import Capabilities
from bot.core.choices import offered_choices
from bot.core.messages import Button, Incoming, Reply, Sender
from bot.db.models import OfferedChoice, Person
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.core.channel_capabilities import TELEGRAM_LIKE, WECHAT_LIKE, WHATSAPP_LIKE

UPDATES = count(1)


class Typist:
    """A person on a channel with `capabilities`, answered the way every channel is
    (`Runtime.replies_to`: the Academy, then fitting), who can only type."""

    def __init__(self, runtime: Runtime, capabilities: Capabilities, user_id: str) -> None:
        self.runtime = runtime
        self.capabilities = capabilities
        self.sender = Sender(capabilities.name, user_id, display_name="Ana", language_hint="zh")
        self.last: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        incoming = Incoming.from_text(self.sender, text)
        incoming = Incoming(**{**incoming.__dict__, "update_ref": f"u{next(UPDATES)}"})
        async with self.runtime.sessions() as session:
            answer = await self.runtime.replies_to(incoming, session, self.capabilities)
        self.last = answer.replies
        return self.last

    async def kept(self) -> list[tuple[int, str, str]]:
        async with self.runtime.sessions() as session:
            person = (
                await session.exec(
                    select(Person).where(Person.channel_user_id == self.sender.user_id)
                )
            ).one()
            rows = await session.exec(
                select(OfferedChoice)
                .where(OfferedChoice.person_id == person.id)
                .order_by(OfferedChoice.number)
            )
            return [(row.number, row.label, row.payload) for row in rows]


def sent_choices(replies: list[Reply]) -> list[tuple[int, str, str]]:
    return [(c.number, c.label, c.payload) for c in offered_choices(replies)]


async def test_a_typed_number_is_the_numbered_choice_it_names(school: Runtime) -> None:
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    welcome = await ana.send("/start")
    assert [c.payload for c in welcome[-1].numbered] == ["les:go", "welcome:es", "welcome:en"]
    assert await ana.kept() == sent_choices(welcome)  # what was sent, after fitting
    card = await ana.send("回复1")
    assert "1/2" in card[0].text  # the first lesson card: "▶ 开始第 1 课" was tapped
    kept = await ana.kept()
    assert kept == sent_choices(card)  # the next set replaced the welcome's
    assert [payload for _, _, payload in kept] == ["les:next:first-steps:0"]
    following = await ana.send("１")  # a full-width digit from a Chinese keyboard
    assert following[0].text != card[0].text and "2/2" in following[0].text


async def test_the_label_typed_or_tapped_as_a_link_is_the_choice(school: Runtime) -> None:
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    await ana.send("/start")
    english = await ana.send("English")  # what a weixin://bizmsgmenu tap sends back
    assert english[0].text.startswith("👋 Hello, Ana!")
    assert [c.label for c in english[0].numbered] == ["▶ Start lesson 1", "中文", "Español"]
    assert "Reply with a number:" in english[0].text  # the hint in the language just chosen
    chinese = await ana.send(" 中文 ")
    assert chinese[0].text.startswith("👋 Ana，您好")


async def test_a_number_that_names_no_choice_stays_text(school: Runtime) -> None:
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    await ana.send("/start")
    before = await ana.kept()
    typed = await ana.send("7")
    tom = Typist(school, TELEGRAM_LIKE, "99")  # the same words where no choice is kept
    await tom.send("/start")
    await tom.send("中文")
    plain = await tom.send("7")
    assert typed[0].text.startswith(plain[0].text.split("\n\n")[0])
    assert (await ana.kept())[0][0] == 1 and len(before) == 3


async def test_choices_older_than_48_hours_mean_nothing(school: Runtime) -> None:
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    await ana.send("/start")
    school.academy.services.clock.now += timedelta(hours=48)  # type: ignore[attr-defined]
    replies = await ana.send("2")
    assert "Español" not in replies[0].text.split("\n\n")[0]
    assert "¡Hola" not in replies[0].text


async def test_telegram_keeps_no_choices_and_a_number_is_text(school: Runtime) -> None:
    tom = Typist(school, TELEGRAM_LIKE, "42")
    welcome = await tom.send("/start")
    assert welcome[0].buttons and not welcome[0].numbered
    await tom.send("1")
    assert await tom.kept() == []
    async with school.sessions() as session:
        person = (await session.exec(select(Person))).one()
    assert person.choices_at is None


async def test_a_number_typed_on_whatsapp_is_the_numbered_button(school: Runtime) -> None:
    async def pick(ctx):
        long = ["Start the first lesson now", "Cambiar a español, por favor", "Switch to English"]
        payloads = ["les:go", "welcome:es", "welcome:en"]
        rows = tuple((Button(label, p),) for label, p in zip(long, payloads, strict=True))
        return Reply("Which one?", buttons=rows)

    school.academy.router.commands["pick"] = pick
    rosa = Typist(school, WHATSAPP_LIKE, "5215512345678")
    await rosa.send("/start")
    offer = await rosa.send("/pick")
    assert [b.label for row in offer[0].buttons for b in row] == ["1", "2", "3"]
    assert [c[1] for c in await rosa.kept()][1] == "Cambiar a español, por favor"
    spanish = await rosa.send("2")
    assert "¡Hola" in spanish[0].text


async def test_a_failed_answer_keeps_the_choices_before_it(school: Runtime) -> None:
    async def crash(ctx):
        raise RuntimeError("boom")

    school.academy.router.commands["crash"] = crash
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    await ana.send("/start")
    before = await ana.kept()
    apology = await ana.send("/crash")
    assert apology == [Reply(Translator("zh")("error.internal"))]
    assert await ana.kept() == before


async def test_only_the_choices_of_messages_actually_sent_are_kept(school: Runtime) -> None:
    async def many(ctx):
        # Seven messages, each with its own choice: fitting keeps 5 of them (WeChat's budget),
        # the first four and the last with choices; the two dropped must not be kept.
        return [
            Reply(f"Part {n} " + "很长的一段话。" * 95, buttons=((Button(f"Go {n}", f"p:{n}"),),))
            for n in range(1, 8)
        ]

    school.academy.router.commands["many"] = many
    ana = Typist(school, WECHAT_LIKE, "o-ana")
    await ana.send("/start")
    sent = await ana.send("/many")
    assert len(sent) == 5
    kept = await ana.kept()
    assert kept == sent_choices(sent)
    assert [payload for _, _, payload in kept] == ["p:1", "p:2", "p:3", "p:4", "p:7"]
