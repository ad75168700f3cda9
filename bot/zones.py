"""Time zones as people see them: the first guess of a zone from the language tag a client
reports ("es-MX"), and each zone's name in the reader's language, never an IANA id."""

from __future__ import annotations

from functools import cache

from babel.core import get_global
from babel.dates import get_timezone_location

from bot.i18n import Translator, catalog

# The zones the chat offers as buttons (any IANA zone works through the CLI); each has its name
# in the catalogs under zone_key().
OFFERED = ("Asia/Shanghai", "America/Mexico_City", "America/Tijuana", "America/Cancun", "UTC")

# The first guess from a client's language tag: its country when it names one, else its
# language. English, or a language or country not listed, says nothing: DEFAULT_TIMEZONE stays.
ZONE_BY_COUNTRY = {
    "MX": "America/Mexico_City",
    "CN": "Asia/Shanghai",
    "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong",
    "ES": "Europe/Madrid",
    "CO": "America/Bogota",
    "PE": "America/Lima",
    "GT": "America/Guatemala",
}
ZONE_BY_LANGUAGE = {
    "es": "America/Mexico_City",
    "zh": "Asia/Shanghai",
}


def _country(tag: list[str]) -> str:
    """The region subtag of a language tag split at "-": "MX" in es-MX, "TW" in zh-Hant-TW."""
    for part in tag[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    return ""


def guess_zone(language_tag: str | None) -> str | None:
    """The zone a client's language tag suggests, or None when it suggests none."""
    if not language_tag:
        return None
    tag = language_tag.replace("_", "-").split("-")
    return ZONE_BY_COUNTRY.get(_country(tag)) or ZONE_BY_LANGUAGE.get(tag[0].lower())


def country_of(zone: str) -> str | None:
    """The country a zone lies in ("MX" for America/Tijuana); None for UTC and the like."""
    territory = get_global("zone_territories").get(zone)
    return str(territory) if territory else None


def first_zone(language_tag: str | None, fallback: str) -> str:
    """The zone to start with: the guess from the language tag, else `fallback` (the default,
    or the zone already known). A fallback in the guessed country is kept: it is the finer
    guess (DEFAULT_TIMEZONE America/Tijuana for a Mexican programme, and "es-MX")."""
    guess = guess_zone(language_tag)
    if guess is None:
        return fallback
    same_country = country_of(fallback) is not None and country_of(fallback) == country_of(guess)
    return fallback if same_country else guess


def zone_key(zone: str) -> str:
    """The catalog key of a zone's name: "zone.america.mexico_city"."""
    return "zone." + zone.lower().replace("/", ".")


@cache
def _babel_name(zone: str, language: str) -> str:
    name = get_timezone_location(zone, locale=language)
    return name[:1].upper() + name[1:]


def zone_name(zone: str, language: str) -> str:
    """How the reader says the zone ("北京时间", "Hora de la Ciudad de México"): the catalog's
    name for the zones offered, Babel's localized place name for any other."""
    t = Translator(language)
    if zone_key(zone) in catalog(t.language):
        return t(zone_key(zone))
    return _babel_name(zone, t.language)
