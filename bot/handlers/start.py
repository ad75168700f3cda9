"""Onboarding: /start, choosing the language, /help."""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.core.messages import Button, Reply
from bot.core.payloads import (
    ChooseLanguage,
    HelpTap,
    HelpTopic,
    OpenLesson,
    StaleButton,
    WelcomeLanguage,
)
from bot.db.models import Person, Role
from bot.db.roles import at_least
from bot.handlers.certificates import send_certificate_again
from bot.handlers.join import open_code
from bot.handlers.link import link_code
from bot.handlers.menu import language_buttons, main_menu
from bot.handlers.reminders import show_reminders
from bot.i18n import Translator, normalise_language
from bot.lessons.progress import lesson_progress, next_lesson
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("start")


@router.command("start")
async def start(ctx: Context) -> HandlerResult:
    """One message: a greeting in the phone's language, a button to the next lesson and one line
    to change the language (a question instead when the phone gave no usable language). A deep
    link's code (`/start CODE`: join a class, or take a role) is opened after it."""
    replies = [await welcome(ctx)]
    if ctx.incoming.text.strip():
        replies += await open_code(ctx, ctx.incoming.text)
    return replies


async def welcome(ctx: Context) -> Reply:
    """The welcome; a phone's language shown on it with the others a tap away counts as chosen
    from then on (a later "hola" is small talk, not a second welcome)."""
    person = ctx.person
    hint = normalise_language(ctx.incoming.sender.language_hint, default="")
    ask = not person.language_chosen and not hint
    if not ask and not person.language_chosen:
        person.language_chosen = True
        ctx.session.add(person)
    return await welcome_reply(ctx, ctx.t, ask=ask)


async def welcome_reply(ctx: Context, t: Translator, *, ask: bool, edit: bool = False) -> Reply:
    """The welcome in `t`'s language with "▶ Start lesson N" (or "Continue") when a lesson is
    left, then the other languages, or all of them under the question when `ask`."""
    person = ctx.person
    name = person.display_name or t("start.friend")
    course = ctx.services.course_for(person)
    progress = await lesson_progress(ctx.session, person, course)
    slug = next_lesson(course, progress)
    rows: list[tuple[Button, ...]] = []
    if slug is not None:
        key = "start.continue" if slug in progress else "start.lesson"
        rows.append((Button(t(key, number=course.number(slug)), OpenLesson().pack()),))
    languages = language_buttons(person.language, kind=WelcomeLanguage, others_only=not ask)
    rows.append(languages)
    line = t(prompt_key(person)) if ask else t("start.other_language")
    text = f"{t('start.welcome', name=name)}\n\n{line}"
    return Reply(text, buttons=tuple(rows), edit=edit)


def prompt_key(person: Person) -> str:
    """Trainees choose the language they learn in; staff, the one the bot uses with them."""
    return "language.prompt_staff" if at_least(person, Role.lecturer) else "language.prompt"


@router.command("language")
@router.menu("menu.language")
async def choose_language(ctx: Context) -> HandlerResult:
    buttons = tuple((button,) for button in language_buttons(ctx.person.language))
    return Reply(ctx.t(prompt_key(ctx.person)), buttons=buttons)


@router.button(ChooseLanguage)
async def language_chosen(ctx: Context, tap: ChooseLanguage) -> HandlerResult:
    """A language from the /language question: saved, said, and the menu in that language."""
    language = tap.language
    if not await set_language(ctx, language):
        raise StaleButton(language)
    t = Translator(language)
    return [
        Reply(t("language.set"), edit=True),
        Reply(t("start.ready"), menu=await main_menu(ctx, t)),
    ]


@router.button(WelcomeLanguage)
async def language_on_welcome(ctx: Context, tap: WelcomeLanguage) -> HandlerResult:
    """A language from the welcome: the welcome is redone in it, in place. Someone who already
    has a menu also gets it in the new language."""
    language = tap.language
    if not await set_language(ctx, language):
        raise StaleButton(language)
    t = Translator(language)
    replies = [await welcome_reply(ctx, t, ask=False, edit=True)]
    course = ctx.services.course_for(ctx.person)
    if await lesson_progress(ctx.session, ctx.person, course) or at_least(
        ctx.person, Role.lecturer
    ):
        replies.append(Reply(t("language.set"), menu=await main_menu(ctx, t)))
    return replies


async def set_language(ctx: Context, language: str) -> bool:
    """Make `language` the person's chosen one; False (nothing changed) when it is not ours."""
    if language not in LANGUAGES:
        return False
    ctx.person.language = language
    ctx.person.language_chosen = True
    ctx.session.add(ctx.person)
    return True


@router.command("help")
@router.menu("menu.help")
async def show_help(ctx: Context) -> HandlerResult:
    """What each menu button does, with buttons for what is not in the menu."""
    buttons = (
        (Button(ctx.t("help.reminders"), HelpTap(HelpTopic.reminders).pack()),),
        (Button(ctx.t("help.certificate"), HelpTap(HelpTopic.certificate).pack()),),
        (Button(ctx.t("help.link"), HelpTap(HelpTopic.link).pack()),),
    )
    return Reply(ctx.t("help.text"), buttons=buttons)


@router.button(HelpTap)
async def help_button(ctx: Context, tap: HelpTap) -> HandlerResult:
    if tap.topic is HelpTopic.reminders:
        return await show_reminders(ctx)
    if tap.topic is HelpTopic.link:
        return await link_code(ctx)
    return await send_certificate_again(ctx)
