"""Time zones as people see them: the first guess from the client's language tag, and zone names
in the reader's language (from the catalogs for the zones offered, from Babel for the rest)."""

from __future__ import annotations

import pytest

from bot.config import LANGUAGES
from bot.zones import OFFERED, first_zone, guess_zone, zone_name


def test_the_guess_follows_the_country_then_the_language() -> None:
    assert guess_zone("es-MX") == "America/Mexico_City"
    assert guess_zone("es") == "America/Mexico_City"
    assert guess_zone("es_ES") == "Europe/Madrid"  # the country wins over the language
    assert guess_zone("zh") == guess_zone("zh-hans") == guess_zone("zh-CN") == "Asia/Shanghai"
    assert guess_zone("zh-Hant-TW") == "Asia/Taipei"
    assert guess_zone("en") is None and guess_zone("en-US") is None  # English says nothing
    assert guess_zone(None) is None and guess_zone("") is None and guess_zone("xx") is None


def test_the_first_zone_keeps_the_default_unless_the_guess_says_more() -> None:
    assert first_zone("es-MX", "Asia/Shanghai") == "America/Mexico_City"
    assert first_zone("en", "Asia/Shanghai") == "Asia/Shanghai"
    assert first_zone("en", "UTC") == "UTC"
    assert first_zone(None, "America/Cancun") == "America/Cancun"
    # A default in the guessed country is a better guess than the country's capital.
    assert first_zone("es-MX", "America/Tijuana") == "America/Tijuana"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_offered_zone_has_a_name_and_none_is_an_iana_name(language: str) -> None:
    names = [zone_name(zone, language) for zone in OFFERED]
    assert len(set(names)) == len(OFFERED)
    for name in names:
        assert "/" not in name and "UTC" not in name and "_" not in name, name


def test_names_read_as_people_say_them() -> None:
    assert zone_name("Asia/Shanghai", "zh") == "北京时间"
    assert zone_name("America/Mexico_City", "es") == "Hora de la Ciudad de México"
    assert zone_name("America/Mexico_City", "en") == "Mexico City time"


def test_a_zone_not_offered_is_named_by_babel_in_the_readers_language() -> None:
    assert zone_name("Europe/Madrid", "es") == "Hora de España (Madrid)"
    assert zone_name("Europe/Madrid", "zh") == "西班牙（马德里）时间"
    assert zone_name("America/Bogota", "en") == "Colombia Time"
