"""Reading what a button carries or a command was given: only what our own buttons make.

A payload is `prefix:field:field`. Anyone can forge one (a Telegram client sends any callback data),
so every number in it is read here: ASCII digits only (str.isdigit and int() also take "²" and
"١"), within the database's integer (PostgreSQL refuses a larger one, where SQLite would take it).
"""

from __future__ import annotations

# PostgreSQL's `integer`, the type of every id: a larger number fails in the database.
LARGEST_NUMBER = 2**31 - 1
_DIGITS = frozenset("0123456789")


class StaleButton(Exception):
    """A payload no button of ours has (now): the pipeline answers "this button no longer works"
    and keeps nothing the handler did."""


def whole_number(text: str) -> int | None:
    """`text` as a number when it is only ASCII digits and fits the database's integer; else
    None."""
    if not text or len(text) > len(str(LARGEST_NUMBER)) or not _DIGITS.issuperset(text):
        return None
    number = int(text)
    return number if number <= LARGEST_NUMBER else None


def button_fields(payload: str, *counts: int) -> list[str]:
    """The fields after the prefix of `payload` (`"coh:view:7"` -> `["view", "7"]`); raises
    StaleButton unless there are as many as one of `counts`."""
    _, _, rest = payload.partition(":")
    fields = rest.split(":") if rest else []
    if len(fields) not in counts:
        raise StaleButton(payload)
    return fields


def button_number(field: str) -> int:
    """A number a button carries (see `whole_number`); raises StaleButton when it is none."""
    number = whole_number(field)
    if number is None:
        raise StaleButton(field)
    return number
