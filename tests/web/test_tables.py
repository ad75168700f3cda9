"""Sorting and filtering a table through its page's query string (bot/web/tables.py)."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from bot.web.tables import Sorting, filter_of, headers, link, matches, sorted_rows, sorting_of

ROWS = [("Ana", 3), ("ben", None), ("Cai", 5), ("Dora", 3)]
KEYS = {"name": lambda r: r[0].casefold(), "score": lambda r: r[1]}


def test_an_unknown_column_or_direction_is_the_default() -> None:
    request = make_mocked_request("GET", "/web/x?sort=%3Cscript%3E&dir=sideways")
    assert sorting_of(request, KEYS, "name") == Sorting("name", False)
    request = make_mocked_request("GET", "/web/x?sort=score&dir=desc")
    assert sorting_of(request, KEYS, "name") == Sorting("score", True)


def test_rows_without_a_value_come_last_either_way_and_ties_keep_their_order() -> None:
    assert sorted_rows(ROWS, Sorting("score", False), KEYS) == [
        ("Ana", 3),
        ("Dora", 3),
        ("Cai", 5),
        ("ben", None),
    ]
    assert sorted_rows(ROWS, Sorting("score", True), KEYS) == [
        ("Cai", 5),
        ("Ana", 3),
        ("Dora", 3),
        ("ben", None),
    ]
    assert [r[0] for r in sorted_rows(ROWS, Sorting("name", True), KEYS)] == [
        "Dora",
        "Cai",
        "ben",
        "Ana",
    ]


def test_links_keep_the_other_choices() -> None:
    request = make_mocked_request("GET", "/web/x?course=sample&q=an&sort=name")
    assert (
        link(request, sort="score", dir="desc") == "/web/x?course=sample&q=an&sort=score&dir=desc"
    )
    assert link(request, q=None, sort=None) == "/web/x?course=sample"
    assert filter_of(make_mocked_request("GET", "/web/x?q=%20Ana%20")) == "Ana"
    assert matches("Ana López", "lóp") and matches("anything", "") and not matches("Ana", "Ben")


def test_a_header_turns_the_sorted_column_round() -> None:
    request = make_mocked_request("GET", "/web/x?sort=score&dir=desc")
    made = headers(
        request, Sorting("score", True), {"name": "Name", "score": "Score"}, numeric=["score"]
    )
    assert made["score"].aria_sort == "descending" and made["score"].arrow == "▼"
    assert made["score"].href == "/web/x?sort=score&dir=asc"
    assert made["name"].aria_sort == "" and made["name"].href == "/web/x?sort=name&dir=asc"
    assert made["score"].numeric and not made["name"].numeric
