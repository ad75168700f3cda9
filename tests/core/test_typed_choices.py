"""Reading a typed choice back (`typed_choice`), the choices a fitted batch offers
(`offered_choices`), and what goes now when the reply budget is short (`spend`)."""

from __future__ import annotations

import pytest

from bot.core.choices import offered_choices, typed_choice
from bot.core.fitting import Wording, fit_replies, spend
from bot.core.messages import Attachment, Button, NumberedChoice, Reply
from tests.core.channel_capabilities import TELEGRAM_LIKE, WECHAT_LIKE, WHATSAPP_LIKE

CHOICES = (
    NumberedChoice(1, "▶ 开始第 1 课", "les:go"),
    NumberedChoice(2, "Español", "welcome:es"),
    NumberedChoice(3, "📊 我的进度", "say:📊 我的进度"),
)
WORDING = Wording(number_hint="回复数字即可选择：", more_waiting="回复任意文字，继续下一步")


@pytest.mark.parametrize(
    "typed",
    [
        "2",
        " 2 ",
        "２",
        "2.",
        "2。",
        "2、",
        "回复2",
        "回复 2",
        "回复２",
        "#2",
        "第2个",
        "Reply 2",
        "02",
    ],
)
def test_every_way_of_typing_a_number_means_that_choice(typed: str) -> None:
    assert typed_choice(CHOICES, typed) == "welcome:es"


@pytest.mark.parametrize(
    "typed", ["Español", "español", "ESPAÑOL", " Español ", "2 Español", "▶ 开始第 1 课"]
)
def test_the_label_itself_means_the_choice_as_a_bizmsgmenu_tap_sends_it(typed: str) -> None:
    expected = "les:go" if "开始" in typed else "welcome:es"
    assert typed_choice(CHOICES, typed) == expected


@pytest.mark.parametrize(
    "typed", ["4", "0", "22", "2 bottles", "two", "٢", "我想问2个问题", "", "   ", "回复"]
)
def test_anything_else_stays_text(typed: str) -> None:
    assert typed_choice(CHOICES, typed) is None


def test_no_choices_means_nothing_is_a_choice() -> None:
    assert typed_choice((), "1") is None


# A tap on a WeChat link or menu item: its content, and the choice's number as id.
TWINS = (
    NumberedChoice(1, "下一张", "card:2"),
    NumberedChoice(2, "10", "q:a0"),
    NumberedChoice(3, "20", "q:a1"),
    NumberedChoice(4, "下一张", "card:3"),  # two messages of one batch, the same words
)


@pytest.mark.parametrize(
    ("content", "tap_id", "expected"),
    [
        ("下一张", "4", "card:3"),  # the id tells the twins apart
        ("下一张", "1", "card:2"),
        ("4 下一张", "4", "card:3"),  # a menu item reads "number label"
        ("下一张", "0", "card:2"),  # "0", as WeChat sometimes returns: the label, first one
        ("下一张", "2", "card:2"),  # an id whose choice reads otherwise (an older set's link)
        ("下一张", "x", "card:2"),
        ("20", "0", "q:a1"),  # a label that looks like a number is the label when tapped...
        ("10", "", "q:a0"),
        ("3", "0", "q:a1"),  # ...and a number names its choice when no label is it
        ("下一節", "0", None),
    ],
)
def test_a_tap_maps_by_its_id_then_its_label_then_a_number(
    content: str, tap_id: str, expected: str | None
) -> None:
    assert typed_choice(TWINS, content, tap_id=tap_id) == expected


def test_typed_numbers_come_before_labels_and_tapped_labels_before_numbers() -> None:
    """Under "1 10 / 2 20", typing "2" means the second line (the hint says to type numbers);
    tapping the link "20" sends "20", which is that label."""
    choices = (NumberedChoice(1, "2", "q:a0"), NumberedChoice(2, "1", "q:a1"))
    assert typed_choice(choices, "2") == "q:a1"
    assert typed_choice(choices, "2", tap_id="1") == "q:a0"
    assert typed_choice(choices, "2", tap_id="0") == "q:a0"


def test_an_exact_label_wins_over_one_that_only_reads_the_same() -> None:
    choices = (NumberedChoice(1, "ＡＢ", "wide"), NumberedChoice(2, "AB", "narrow"))
    assert typed_choice(choices, "AB", tap_id="0") == "narrow"
    assert typed_choice(choices, "ＡＢ", tap_id="0") == "wide"
    assert typed_choice(choices, " ab ", tap_id="0") == "wide"  # compared as typed: the first


def test_wechat_numbered_choices_are_offered_across_the_batch() -> None:
    replies = [
        Reply("Card one", buttons=((Button("Next", "les:next:a:0"),),)),
        Reply("Pick", buttons=((Button("Yes", "y"), Button("No", "n")),)),
    ]
    fitted = fit_replies(replies, WECHAT_LIKE, wording=WORDING)
    offered = offered_choices(fitted)
    assert [(c.number, c.label, c.payload) for c in offered] == [
        (1, "Next", "les:next:a:0"),
        (2, "Yes", "y"),
        (3, "No", "n"),
    ]


def test_whatsapp_buttons_labelled_with_numbers_are_offered_with_their_wording() -> None:
    long = ["Put the peaches in a cool dry box", "Leave them in the sun", "Wash them well"]
    reply = Reply(
        "Which is right?", buttons=tuple((Button(t, f"q:{i}"),) for i, t in enumerate(long))
    )
    (message,) = fit_replies([reply], WHATSAPP_LIKE, wording=WORDING)
    assert [b.label for row in message.buttons for b in row] == ["1", "2", "3"]
    offered = offered_choices([message])
    assert [(c.number, c.label, c.payload) for c in offered] == [
        (1, long[0], "q:0"),
        (2, long[1], "q:1"),
        (3, long[2], "q:2"),
    ]
    assert typed_choice(offered, "2") == "q:1"


def test_ordinary_buttons_offer_nothing_to_type() -> None:
    reply = Reply("Hi", buttons=((Button("▶ Start", "les:go"), Button("Help", "h")),))
    assert offered_choices(fit_replies([reply], TELEGRAM_LIKE)) == ()
    assert offered_choices(fit_replies([reply], WHATSAPP_LIKE)) == ()
    # A lone button whose label happens to be "1" is not a numbered set.
    assert offered_choices([Reply("x", buttons=((Button("1", "p"),),))]) == ()


def test_the_later_of_two_same_numbers_is_the_one_meant() -> None:
    first = Reply("a", numbered=(NumberedChoice(1, "Old", "old"),))
    second = Reply("b", numbered=(NumberedChoice(1, "New", "new"),))
    assert [c.payload for c in offered_choices([first, second])] == ["new"]


def test_spend_within_the_budget_sends_everything() -> None:
    messages = [Reply("a"), Reply("b")]
    assert spend(messages, 5, WECHAT_LIKE, WORDING) == (messages, [])
    assert spend(messages, None, WECHAT_LIKE, WORDING) == (messages, [])


def test_spend_over_the_budget_ends_with_the_line_asking_to_reply() -> None:
    messages = [Reply(f"part {n}") for n in range(1, 6)]
    now, later = spend(messages, 3, WECHAT_LIKE, WORDING)
    assert [m.text for m in now] == ["part 1", "part 2", "part 3\n\n回复任意文字，继续下一步"]
    assert later == messages[3:]


def test_spend_puts_the_line_in_its_own_message_when_it_cannot_join_the_last() -> None:
    photo = Reply(image=Attachment("a.png", data=b"x"))
    messages = [Reply("one"), photo, Reply("three")]
    now, later = spend(messages, 2, WECHAT_LIKE, WORDING)  # WeChat: a photo carries no text
    assert now == [Reply("one"), Reply("回复任意文字，继续下一步")]
    assert later == [photo, Reply("three")]
    full = Reply("字" * 682)  # 2,046 bytes: the line does not fit beside it
    now, later = spend([full, Reply("more")], 1, WECHAT_LIKE, WORDING)
    assert now == [Reply("回复任意文字，继续下一步")] and later == [full, Reply("more")]


def test_spend_with_nothing_left_sends_nothing() -> None:
    messages = [Reply("a")]
    assert spend(messages, 0, WECHAT_LIKE, WORDING) == ([], messages)
