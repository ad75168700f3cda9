"""What Telegram shows around the chat: the command menu (trainees' by language, staff's per
chat), the menu button that opens the Mini App, and the bot's description and short description
before a person presses Start."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, MenuButtonWebApp, WebAppInfo
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.telegram.convert import CHANNEL
from bot.config import LANGUAGES, Settings
from bot.db.models import Person, Role
from bot.handlers import COMMANDS
from bot.i18n import Translator
from bot.web.signin import MINI_APP

log = logging.getLogger(__name__)

# Commands only staff can use, shown in their own chat's menu only (scoped commands), by role.
LECTURER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("cohorts", "command.cohorts"),
    ("newcohort", "command.newcohort"),
    ("questions", "command.questions"),
    ("answer", "command.answer"),
    ("answers", "command.answers"),
)
STAFF_COMMANDS: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.lecturer: LECTURER_COMMANDS,
    Role.coordinator: (
        *LECTURER_COMMANDS,
        ("stats", "command.stats"),
        ("invite_lecturer", "command.invite_lecturer"),
    ),
    Role.admin: (
        *LECTURER_COMMANDS,
        ("stats", "command.stats"),
        ("invite_lecturer", "command.invite_lecturer"),
        ("invite_coordinator", "command.invite_coordinator"),
    ),
}
DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT = 512, 120  # Telegram's limits


def commands_for(role: Role, language: str) -> list[BotCommand]:
    """The menu of a person with `role`: everyone's commands, then their role's."""
    t = Translator(language)
    names = (*COMMANDS, *STAFF_COMMANDS.get(role, ()))
    return [BotCommand(command=name, description=t(key)) for name, key in names]


async def publish_commands(bot: Bot, default_language: str) -> None:
    """The command list in each language, so the client's menu speaks the person's language."""
    for language in (*LANGUAGES, None):
        commands = commands_for(Role.trainee, language or default_language)
        await bot.set_my_commands(commands, language_code=language)


async def publish_descriptions(bot: Bot, default_language: str) -> None:
    """What a new trainee reads before pressing Start, in each language."""
    for language in (*LANGUAGES, None):
        t = Translator(language or default_language)
        await bot.set_my_description(
            description=t("profile.description")[:DESCRIPTION_LIMIT], language_code=language
        )
        await bot.set_my_short_description(
            short_description=t("profile.short_description")[:SHORT_DESCRIPTION_LIMIT],
            language_code=language,
        )


def mini_app_url(settings: Settings) -> str | None:
    """Where the menu button opens the Mini App, or None when the bot leaves the button alone:
    TELEGRAM_MENU_BUTTON off, no dashboard to open, or no HTTPS (Telegram opens only https)."""
    public_url = settings.public_url
    if not (settings.telegram_menu_button and settings.web_dashboard):
        return None
    if not public_url.startswith("https://"):
        return None
    return public_url.rstrip("/") + MINI_APP


async def publish_menu_button(bot: Bot, settings: Settings) -> bool:
    """Make the button beside the text field open the Mini App (a trainee's next lesson, staff's
    dashboard), labelled in the default language: Telegram keeps one default button for every
    chat. Whether it was set; a refusal is logged, never raised: the chat works without it."""
    url = mini_app_url(settings)
    if url is None:
        return False
    label = Translator(settings.default_language)("menu.mini_app")
    button = MenuButtonWebApp(text=label, web_app=WebAppInfo(url=url))
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramAPIError as error:
        log.warning("could not set the menu button to the Mini App at %s: %s", url, error)
        return False
    return True


class StaffMenus:
    """Keeps each lecturer's, coordinator's and admin's own command menu in step with their role:
    set when they have a staff role, removed when they lose it. `sync` runs at start-up and then
    periodically, so a role given in the chat or by `academy users` shows within a minute."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.shown: dict[str, tuple[Role, str]] = {}  # chat id -> the role and language shown

    async def sync(self, session: AsyncSession) -> None:
        staff = [role.value for role in STAFF_COMMANDS]
        people = await session.exec(
            select(Person).where(Person.channel == CHANNEL, col(Person.role).in_(staff))
        )
        wanted = {p.channel_user_id: (Role(p.role), p.language) for p in people}
        for chat, (role, language) in wanted.items():
            if self.shown.get(chat) != (role, language):
                await self.show(chat, role, language)
        for chat in [chat for chat in self.shown if chat not in wanted]:
            await self.remove(chat)

    async def show(self, chat: str, role: Role, language: str) -> None:
        """Give one staff person the menu of their role, in their language."""
        try:
            await self.bot.set_my_commands(
                commands_for(role, language), scope=BotCommandScopeChat(chat_id=int(chat))
            )
        except (TelegramAPIError, ValueError) as error:  # a chat that is gone: not worth more
            log.info("could not set the staff menu of %s: %s", chat, error)
            return
        self.shown[chat] = (role, language)

    async def remove(self, chat: str) -> None:
        """Back to everyone's menu (someone who lost their staff role)."""
        try:
            await self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=int(chat)))
        except (TelegramAPIError, ValueError) as error:
            log.info("could not remove the staff menu of %s: %s", chat, error)
            return
        self.shown.pop(chat, None)
