"""Codes people read aloud or type: format, alphabet, and what typing mistakes are forgiven."""

import random
import re

import pytest

from bot.core.codes import ALPHABET, make_code, normalise_code

CODE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) >= 30


def test_code_format_and_uniqueness() -> None:
    codes = [make_code() for _ in range(1000)]
    assert all(CODE.match(code) for code in codes)
    assert len(set(codes)) == 1000


def test_code_from_seeded_rng_is_reproducible() -> None:
    assert make_code(random.Random(7)) == make_code(random.Random(7))
    assert CODE.match(make_code(random.Random(7)))


@pytest.mark.parametrize(
    "typed",
    [
        "7KQM-3HXP",
        "7kqm-3hxp",
        "7kqm3hxp",
        " 7 K Q M  3 H X P ",
        "7kqm_3hxp",
        "7KQM—3HXP",
        "７ＫＱＭ－３ＨＸＰ",
    ],
)
def test_normalise_code_accepts_what_people_type(typed: str) -> None:
    assert normalise_code(typed) == "7KQM-3HXP"


def test_normalise_code_round_trips_generated_codes() -> None:
    rng = random.Random(1)
    for _ in range(200):
        code = make_code(rng)
        assert normalise_code(code) == code
        assert normalise_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "hola",
        "7KQM-3HX",
        "7KQM-3HXPA",
        "7KQM-3HX0",
        "OKQM-3HXP",
        "7KQM-1HXP",
        "7KQM-3HXP!",
    ],
)
def test_normalise_code_rejects_garbage(typed: str) -> None:
    assert normalise_code(typed) == ""


# --- picture ---
