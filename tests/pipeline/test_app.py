"""The per-message pipeline: limits, crashes, blocked flag, on a real database."""

from sqlmodel import select

from bot.core.messages import Incoming, Kind, Reply
from bot.db.models import Person
from bot.db.people import mark_blocked
from bot.i18n import Translator
from tests.conftest import make_settings, migrated_runtime


async def test_a_crashing_handler_apologises_rolls_back_and_the_bot_goes_on(
    runtime, trainee_factory, caplog
) -> None:
    async def crash(ctx):
        ctx.person.display_name = "changed before the crash"
        ctx.session.add(ctx.person)
        raise RuntimeError("boom")

    runtime.academy.router.commands["crash"] = crash
    ana = trainee_factory("1", "Ana", "es")
    await ana.send("/start")
    replies = await ana.send("/crash")
    assert [r.text for r in replies] == [Translator("es")("error.internal")]
    assert "RuntimeError: boom" in caplog.text  # logged with its trace
    async with runtime.sessions() as session:
        person = (await session.exec(select(Person))).one()
    assert person.display_name == "Ana"
    assert (await ana.send("/help"))[0].text == Translator("es")("help.text")


async def test_too_long_text_gets_a_friendly_reply(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "zh")
    limit = runtime.settings.max_text_length
    replies = await ana.send("桃" * (limit + 1))
    assert replies[0].text == Translator("zh")("error.too_long", limit=limit)
    # Just under the limit it is read: as a question, it is too long for that (QA_MAX_LENGTH).
    assert (await ana.send("桃" * limit))[0].text == Translator("zh")(
        "qa.too_long", limit=runtime.settings.qa_max_length
    )


async def test_voice_and_unsupported_media_get_a_kind_reply(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "es")
    async with runtime.sessions() as session:
        voice = await runtime.academy.handle(
            Incoming(ana.sender, Kind.voice, file_ref="x"), session
        )
        other = await runtime.academy.handle(Incoming(ana.sender, Kind.unsupported), session)
    assert voice[0].text == Translator("es")("error.voice")
    assert other[0].text == Translator("es")("error.unsupported")


async def test_a_flooding_person_gets_one_notice_then_nothing(database_url) -> None:
    runtime = await migrated_runtime(make_settings(database_url, flood_max_messages=3))
    try:
        from tests.conftest import Trainee

        ana = Trainee(runtime, "1", "Ana", "en")
        answers = [await ana.send("/help") for _ in range(6)]
        assert [len(a) for a in answers] == [1, 1, 1, 1, 0, 0]
        assert answers[3] == [Reply(Translator("en")("error.flood"))]
        ben = Trainee(runtime, "2", "Ben", "en")
        assert len(await ben.send("/help")) == 1
    finally:
        await runtime.close()


async def test_writing_again_clears_the_blocked_flag(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    async with runtime.sessions() as session:
        await mark_blocked(session, "test", "1")
        assert (await session.exec(select(Person.blocked))).one() is True
    await ana.send("/help")
    async with runtime.sessions() as session:
        assert (await session.exec(select(Person.blocked))).one() is False
