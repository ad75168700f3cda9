"""Onboarding on a real SQLite database: greeting, language choice, menu, help."""

from sqlmodel import select

from bot.db.models import Person
from bot.i18n import Translator, catalog


def menu_rows(t: Translator) -> tuple[tuple[str, ...], ...]:
    """The menu of someone with nothing to review."""
    return ((t("menu.lesson"), t("menu.progress")), (t("menu.help"), t("menu.language")))


async def stored(runtime, user_id: str) -> Person:
    async with runtime.sessions() as session:
        return (await session.exec(select(Person).where(Person.channel_user_id == user_id))).one()


def labels(reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


async def test_start_is_one_message_in_the_phones_language_one_tap_from_the_first_card(
    runtime, trainee_factory
) -> None:
    maria = trainee_factory("1", "María", "es-MX")
    (welcome,) = await maria.send("/start")
    es = Translator("es")
    assert welcome.text == "\n\n".join(
        (es("start.welcome", name="María"), es("start.other_language"))
    )
    # The phone already said Spanish: no question, one line to change it, lesson 1 one tap away.
    assert labels(welcome) == [es("start.lesson", number=1), "中文", "English"]
    person = await stored(runtime, "1")
    assert (person.language, person.display_name) == ("es", "María")
    replies = await maria.press(es("start.lesson", number=1))
    assert replies[-1].text.startswith("📖 Lección 1/2 · ")
    assert maria.menu == menu_rows(es)  # the big menu arrives with the course's welcome


async def test_start_asks_the_language_only_without_a_usable_hint(trainee_factory) -> None:
    en = Translator("en")
    for user_id, hint in (("2", "fr"), ("3", None)):
        pierre = trainee_factory(user_id, "Pierre", hint)
        (welcome,) = await pierre.send("/start")
        assert welcome.text == "\n\n".join(
            (en("start.welcome", name="Pierre"), en("language.prompt"))
        )
        assert labels(welcome) == [en("start.lesson", number=1), "中文", "Español", "✓ English"]


async def test_another_language_on_the_welcome_redoes_it_in_that_language(
    runtime, trainee_factory
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    (welcome,) = await ana.press("Español")
    es = Translator("es")
    assert welcome.edit
    assert welcome.text == "\n\n".join(
        (es("start.welcome", name="Ana"), es("start.other_language"))
    )
    assert labels(welcome) == [es("start.lesson", number=1), "中文", "English"]
    person = await stored(runtime, "1")
    assert (person.language, person.language_chosen) == ("es", True)


async def test_a_returning_trainee_gets_the_next_lesson_button(trainee_factory) -> None:
    en = Translator("en")
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/lesson")  # lesson 1 opened, not passed
    (welcome,) = await ana.send("/start")
    assert labels(welcome)[0] == en("start.continue", number=1)
    await ana.press(en("start.continue", number=1))
    assert ana.texts[-1].startswith("📖 Lesson 1/2 · ")


async def test_choosing_a_language_is_saved_and_changes_the_menu(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/language")
    replies = await ana.press("Español")
    es = Translator("es")
    assert replies[0].edit and replies[0].text == es("language.set")
    assert ana.menu == menu_rows(es)
    person = await stored(runtime, "1")
    assert (person.language, person.language_chosen) == ("es", True)
    (welcome,) = await ana.send("/start")
    assert welcome.text.startswith(es("start.welcome", name="Ana"))


async def test_staff_are_asked_which_language_the_bot_should_use(runtime, trainee_factory) -> None:
    from bot.db.models import Role

    lee = trainee_factory("7", "Lee", "en")
    await lee.send("/start")
    async with runtime.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "7"))).one()
        person.role = Role.lecturer
        session.add(person)
        await session.commit()
    en = Translator("en")
    (prompt,) = await lee.send("/language")
    assert prompt.text == en("language.prompt_staff")
    assert en("language.prompt_staff") != en("language.prompt")


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


async def test_help_offers_buttons_instead_of_commands_to_type(trainee_factory) -> None:
    for language in ("zh", "es", "en"):
        typed = [text for text in catalog(language).values() if "/reminders" in text]
        typed += [text for text in catalog(language).values() if "/certificate" in text]
        typed += [text for text in catalog(language).values() if "/link" in text]
        assert typed == []
    en = Translator("en")
    ana = trainee_factory("1", "Ana", "en")
    (help_reply,) = await ana.send("/help")
    assert labels(help_reply) == [en("help.reminders"), en("help.certificate"), en("help.link")]
    by_command = [r.text for r in await ana.send("/reminders")]
    await ana.send("/help")
    assert [r.text for r in await ana.press(en("help.reminders"))] == by_command
    by_command = [r.text for r in await ana.send("/certificate")]
    await ana.send("/help")
    assert [r.text for r in await ana.press(en("help.certificate"))] == by_command
    await ana.send("/help")  # a new link code each time: the same words around another code
    (by_button,) = [r.text for r in await ana.press(en("help.link"))]
    assert by_button.startswith(en("link.code", code="", minutes=15).split("\n")[0])
