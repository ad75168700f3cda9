"""What WhatsApp shows around the chat before anyone writes: the "/" commands and up to four ice
breakers (conversation starters), set on the business number through the Graph API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pywa_async.errors import WhatsAppError
from pywa_async.types import Command

from bot.channels.whatsapp.client import make_client, session_of
from bot.config import Settings
from bot.handlers import COMMANDS
from bot.i18n import Translator

# An ice breaker is sent as the text of its tap: the main menu's labels, which the bot reads as
# taps on its menu. WhatsApp shows at most 4, of 80 characters each.
ICE_BREAKERS = ("menu.lesson", "menu.progress", "menu.help", "menu.language")
ICE_BREAKER_LIMIT = 80
COMMAND_DESCRIPTION_LIMIT = 256


class SetupRefused(Exception):
    """Meta refused the call, or could not be reached: the message says what to check;
    `exit_code` is the command's (2: the settings, 4: the network, 1: anything else)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Automation:
    """The conversation starters and commands of one language."""

    ice_breakers: tuple[str, ...]
    commands: tuple[tuple[str, str], ...]  # (name without the slash, description)


def automation_for(language: str) -> Automation:
    """The ice breakers and commands in `language`, from the catalogs."""
    t = Translator(language)
    return Automation(
        ice_breakers=tuple(t(key)[:ICE_BREAKER_LIMIT] for key in ICE_BREAKERS),
        commands=tuple((name, t(key)[:COMMAND_DESCRIPTION_LIMIT]) for name, key in COMMANDS),
    )


async def publish_automation(settings: Settings) -> Automation:
    """Set the commands and ice breakers in DEFAULT_LANGUAGE (WhatsApp keeps one set per
    number). Raises SetupRefused."""
    automation = automation_for(settings.default_language)
    wa = make_client(settings)
    try:
        await wa.update_conversational_automation(
            ice_breakers=automation.ice_breakers,
            commands=[Command(name, description) for name, description in automation.commands],
        )
    except WhatsAppError as error:
        code = 2 if error.code == 190 or error.status_code in (401, 403) else 1
        raise SetupRefused(
            f"Meta refused it ({error.code}: {error.message}). Check WHATSAPP_ACCESS_TOKEN and "
            "WHATSAPP_PHONE_NUMBER_ID.",
            code,
        ) from error
    except httpx.HTTPError as error:
        server = settings.whatsapp_api_url or "graph.facebook.com"
        raise SetupRefused(
            f"Could not reach the WhatsApp Cloud API at {server}: {error!r}.", 4
        ) from error
    finally:
        await session_of(wa).aclose()
    return automation
