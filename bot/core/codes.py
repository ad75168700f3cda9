"""Short codes people read aloud or type: certificates, cohort invites, role invites."""

from __future__ import annotations

import random
import secrets
import unicodedata

# No 0/O, 1/I/L: nothing on a certificate can be misread as something else in the alphabet.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

# Separators people type between groups (ASCII, full-width and CJK punctuation, any space).
_SEPARATORS = " -_.·‐‑‒–—―−－ー一"


def make_code(rng: random.Random | None = None) -> str:
    """A fresh code such as ``"7KQM-3HXP"`` (secure randomness unless `rng` given)."""
    choose = rng.choice if rng is not None else secrets.choice
    chars = "".join(choose(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str:
    """What a person typed -> canonical ``"XXXX-XXXX"``, or ``""`` if it cannot be a code.

    Case, spaces and dashes are ignored, and full-width characters from a Chinese keyboard
    (``"ＡＢＣＤ－２３４５"``) are folded to ASCII. The look-alikes 0/O and 1/I/L are never part
    of a code, so there is nothing they could safely stand for: mapping them to some other
    character would be a guess that accepts a wrong code, so input containing them is rejected.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    chars = "".join(ch for ch in folded if ch not in _SEPARATORS and not ch.isspace())
    if len(chars) != CODE_LENGTH or any(ch not in ALPHABET for ch in chars):
        return ""
    return f"{chars[:4]}-{chars[4:]}"
