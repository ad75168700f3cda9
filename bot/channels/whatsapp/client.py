"""The pywa client the channel sends with, on Meta's Graph API or on WHATSAPP_API_URL."""

from __future__ import annotations

import httpx
from pywa_async import WhatsApp, utils

from bot.config import Settings

# The Graph API version every call names (pywa's newest).
API_VERSION = str(utils.Version.GRAPH_API.value)
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def make_client(settings: Settings) -> WhatsApp:
    """A client for the business number of the settings. pywa points its HTTP client at
    graph.facebook.com when it is made; WHATSAPP_API_URL (tests: the fake) is set after."""
    session = httpx.AsyncClient(timeout=TIMEOUT)
    wa = WhatsApp(
        settings.whatsapp_phone_number_id,
        settings.whatsapp_access_token.get_secret_value(),
        session=session,
        api_version=API_VERSION,
    )
    if settings.whatsapp_api_url:
        session.base_url = f"{settings.whatsapp_api_url.rstrip('/')}/v{API_VERSION}"
    return wa


def session_of(wa: WhatsApp) -> httpx.AsyncClient:
    """The HTTP client `wa` sends with (to close it)."""
    session = wa.api._session
    assert isinstance(session, httpx.AsyncClient)
    return session
