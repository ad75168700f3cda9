"""What older trainees read in Chinese and Spanish: no English words, no gendered greeting."""

import re

import pytest

from bot.i18n import Translator, catalog

# Placeholders, commands and links are not words a person reads as English.
NOT_WORDS = re.compile(r"\{[^}]*\}|/[a-z_]+|https?://\S+|\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
# Names and abbreviations people see as they are in Chinese and Spanish too.
ALLOWED = {"QR", "Excel", "UTC", "Cancún", "Tijuana", "Greenwich", "WhatsApp", "Telegram", "WeChat"}
# English words that are also ordinary Spanish.
SPANISH_TOO = {"a", "no", "use", "plan", "local", "bot", "personal"}
# Forms that agree with the gender of the person addressed ("¿Está seguro?", "¡Bienvenido!").
GENDERED = re.compile(
    r"\bbienvenid[oa]s?\b|\bamig[oa]s?\b"
    r"|\b(?:está|esté|estás|quedó|queda|sea)\s+(?:list|segur|inscrit|registrad|preparad|invitad)[oa]s?\b",
    re.IGNORECASE,
)


def english_words(text: str, language: str) -> list[str]:
    """The Latin-script words of `text` a reader of `language` would take for English."""
    english = {
        w.lower() for t in catalog("en").values() for w in WORD.findall(NOT_WORDS.sub(" ", t))
    }
    found = []
    for word in WORD.findall(NOT_WORDS.sub(" ", text)):
        if word in ALLOWED:
            continue
        if language == "zh" or (word.lower() in english and word.lower() not in SPANISH_TOO):
            found.append(word)
    return found


@pytest.mark.parametrize("language", ["zh", "es"])
def test_no_english_words_in_the_chinese_and_spanish_catalogs(language: str) -> None:
    leaks = {
        key: words
        for key, text in catalog(language).items()
        if (words := english_words(text, language))
    }
    assert leaks == {}


def test_the_scan_finds_english() -> None:
    assert english_words("¡Bienvenido a Village Academy!", "es") == ["Village", "Academy"]
    assert english_words("欢迎来到 Village Academy {name} /start", "zh") == ["Village", "Academy"]


def test_spanish_addresses_the_person_without_gender() -> None:
    gendered = {key: text for key, text in catalog("es").items() if GENDERED.search(text)}
    assert gendered == {}
    assert GENDERED.search("¿Está seguro?") and GENDERED.search("¡Bienvenida, María!")


def test_the_academy_has_its_own_name_in_each_language() -> None:
    names = {"zh": "乡村电商课堂", "es": "Academia del Pueblo", "en": "Village Academy"}
    for language, name in names.items():
        t = Translator(language)
        for key in ("start.welcome", "help.text", "privacy.mydata", "certificate.footer"):
            assert name in t(key, name="María"), f"{language}:{key}"


async def test_mydata_in_spanish_speaks_spanish(trainee_factory) -> None:
    maria = trainee_factory("1", "María", "es")
    (reply,) = await maria.send("/mydata")
    assert reply.document is not None
    assert english_words(reply.text, "es") == []
