"""Onboarding on a real SQLite database: greeting, language choice, menu, help."""

from sqlmodel import select

from bot.db.models import Person
from bot.i18n import Translator


def menu_rows(t: Translator) -> tuple[tuple[str, ...], ...]:
    """The menu of someone with nothing to review."""
    return ((t("menu.lesson"), t("menu.progress")), (t("menu.help"), t("menu.language")))


async def stored(runtime, user_id: str) -> Person:
    async with runtime.sessions() as session:
        return (await session.exec(select(Person).where(Person.channel_user_id == user_id))).one()


async def test_start_greets_in_the_clients_language_and_offers_languages(
    runtime, trainee_factory
) -> None:
    ana = trainee_factory("1", "Ana", "zh-hans")
    replies = await ana.send("/start")
    zh = Translator("zh")
    assert replies[0].text == zh("start.welcome", name="Ana")
    assert ana.menu == menu_rows(zh)
    labels = [b.label for row in replies[1].buttons for b in row]
    assert labels == ["✓ 中文", "Español", "English"]
    person = await stored(runtime, "1")
    assert (person.language, person.language_chosen, person.display_name) == ("zh", False, "Ana")


async def test_unknown_client_language_falls_back_to_the_default(trainee_factory) -> None:
    pierre = trainee_factory("2", "Pierre", "fr")
    replies = await pierre.send("/start")
    assert [b.label for row in replies[1].buttons for b in row][2] == "✓ English"


async def test_choosing_a_language_is_saved_and_changes_the_menu(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    replies = await ana.press("Español")
    es = Translator("es")
    assert replies[0].edit and replies[0].text == es("language.set")
    assert ana.menu == menu_rows(es)
    person = await stored(runtime, "1")
    assert (person.language, person.language_chosen) == ("es", True)
    # Once chosen, /start no longer asks again; the greeting is in Spanish.
    replies = await ana.send("/start")
    assert [r.text for r in replies] == [es("start.welcome", name="Ana")]


async def test_menu_labels_work_in_any_language(trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "es")
    await ana.send("/start")
    await ana.send(Translator("zh")("menu.help"))  # an old keyboard from another language
    assert ana.texts == [Translator("es")("help.text")]
    await ana.send("🌐 IDIOMA")  # case does not matter
    assert ana.texts == [Translator("es")("language.prompt")]


async def test_language_command_offers_the_choice_again(trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    await ana.press("中文")
    replies = await ana.send("/language")
    assert [b.label for row in replies[0].buttons for b in row] == ["✓ 中文", "Español", "English"]


async def test_help_unknown_command_and_free_text(trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    en = Translator("en")
    assert (await ana.send("/help"))[0].text == en("help.text")
    assert (await ana.send("/nonsense"))[0].text == en("error.unknown_command")
    assert ana.menu is not None
    # Free text is a question for the course, which does not cover the weather; Ana is in no
    # class, so no lecturer is offered.
    (answer,) = await ana.send("hello there, what a nice day")
    assert answer.text == en("qa.not_covered_alone")
    assert [b.label for row in answer.buttons for b in row] == []


async def test_a_forged_language_payload_changes_nothing(runtime, trainee_factory) -> None:
    from bot.core.messages import Incoming

    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    async with runtime.sessions() as session:
        replies = await runtime.academy.handle(Incoming.button(ana.sender, "lang:xx"), session)
    assert replies[0].text == Translator("en")("error.stale_button")
    assert (await stored(runtime, "1")).language == "en"
