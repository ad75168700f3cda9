"""Every UI string exists in every language, with the same placeholders, and none is unused."""

import re
import string
from pathlib import Path

import pytest

from bot.config import LANGUAGES
from bot.handlers import COMMANDS
from bot.i18n import Translator, catalog, normalise_language

BOT = Path(__file__).parents[1] / "bot"
KEY_IN_CODE = re.compile(r"""\b(?:t|Translator\([^)]*\))\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
# Any other string literal that looks like one of our keys ("review.none" passed as an argument).
PREFIXES = "|".join(sorted({key.split(".")[0] for key in catalog("en")}))
KEY_LITERAL = re.compile(rf"""["']((?:{PREFIXES})\.[a-z_]+(?:\.[a-z_]+)*)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for path in BOT.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(KEY_IN_CODE.findall(source)) | set(KEY_LITERAL.findall(source))
    return {
        key for key in used if not key.endswith((".yaml", ".md", ".png", ".html"))
    }  # file names


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_string_with_the_same_placeholders(language: str) -> None:
    reference = catalog("en")
    strings = catalog(language)
    missing = sorted(set(reference) - set(strings))
    extra = sorted(set(strings) - set(reference))
    assert not missing, f"{language} lacks {missing}"
    assert not extra, f"{language} has keys English lacks: {extra}"
    for key, text in strings.items():
        assert text.strip(), f"{language}:{key} is empty"
        assert placeholders(text) == placeholders(reference[key]), f"{language}:{key}"


def test_every_key_the_code_uses_exists() -> None:
    used = keys_used_in_code()
    used |= {key for _, key in COMMANDS}
    assert len(used) > 10  # the scan itself works
    assert sorted(used - set(catalog("en"))) == []


def test_a_missing_key_falls_back_to_the_key_and_is_logged(caplog) -> None:
    assert Translator("zh")("no.such.key") == "no.such.key"
    assert "no.such.key" in caplog.text


def test_client_language_codes_are_normalised() -> None:
    assert normalise_language("zh-hans") == "zh"
    assert normalise_language("es_MX") == "es"
    assert normalise_language("pt-BR", default="es") == "es"
    assert normalise_language(None) == "en"
