"""Numbered choices made tappable (bot/channels/wechat/tappable.py): links in the text, a menu
message, and the fallbacks when WeChat could not show them so."""

from __future__ import annotations

from urllib.parse import unquote

from bot.channels.wechat.tappable import (
    ChoiceStyle,
    MenuMessage,
    TextMessage,
    as_menu,
    link,
    shaped,
    with_links,
)
from bot.core.messages import NumberedChoice

NEXT = NumberedChoice(1, "下一张", "les:next")
ASK = NumberedChoice(2, "提问", "say:提问")
# Two questions merged into one message: two blocks of choices.
MERGED = "题一\n1 是\n2 否\n\n题二\n3 是\n4 否"
TWO_QUESTIONS = [
    NumberedChoice(n, w, str(n)) for n, w in ((1, "是"), (2, "否"), (3, "是"), (4, "否"))
]
TEXT = "📖 第1课 1/3\n\n先拍一张清楚的照片。\n\n回复数字即可选择：\n1 下一张\n2 提问"


def test_a_link_sends_its_label_url_encoded_with_the_number_as_id() -> None:
    made = link(NumberedChoice(3, "Q&A <1>", "x"))
    assert made == (
        '<a href="weixin://bizmsgmenu?msgmenucontent=Q%26A%20%3C1%3E&msgmenuid=3">'
        "Q&amp;A &lt;1&gt;</a>"
    )
    assert unquote(made.split("msgmenucontent=")[1].split("&")[0]) == "Q&A <1>"


def test_links_keep_the_number_in_front_and_touch_no_other_line() -> None:
    linked = with_links(TEXT, [NEXT, ASK])
    lines = linked.split("\n")
    assert lines[:5] == TEXT.split("\n")[:5]
    assert lines[5] == f"1 {link(NEXT)}" and lines[6] == f"2 {link(ASK)}"
    # A line that only looks like a choice (a card's own "1 下一张" elsewhere) is still one.
    assert with_links("2 提问吗", [ASK]) == "2 提问吗"


def test_a_menu_takes_the_lines_before_and_after_the_choices() -> None:
    text = TEXT + "\n\n回复任意文字，继续下一步"
    menu = as_menu(text, [NEXT, ASK])
    assert menu == MenuMessage(
        "📖 第1课 1/3\n\n先拍一张清楚的照片。\n\n回复数字即可选择：",
        (("1", "1 下一张"), ("2", "2 提问")),
        "回复任意文字，继续下一步",
    )


def test_a_menu_only_for_one_block_of_one_to_ten_choices() -> None:
    eleven = [NumberedChoice(n, f"第{n}课", f"les:{n}") for n in range(1, 12)]
    text = "\n".join(f"{c.number} {c.label}" for c in eleven)
    assert as_menu(text, eleven) is None
    assert as_menu("\n".join(text.split("\n")[:10]), eleven[:10]) is not None
    merged = "题一\n1 是\n2 否\n\n题二\n3 是\n4 否"
    choices = [
        NumberedChoice(n, w, str(n)) for n, w in ((1, "是"), (2, "否"), (3, "是"), (4, "否"))
    ]
    assert as_menu(merged, choices) is None
    assert as_menu("没有选项", []) is None


def test_each_style_falls_back_to_what_wechat_can_show() -> None:
    assert shaped(TEXT, [NEXT, ASK], ChoiceStyle.numbers) == TextMessage(TEXT)
    assert shaped(TEXT, [NEXT, ASK], ChoiceStyle.links) == TextMessage(
        with_links(TEXT, [NEXT, ASK])
    )
    assert isinstance(shaped(TEXT, [NEXT, ASK], ChoiceStyle.menu), MenuMessage)
    merged = "题一\n1 是\n2 否\n\n题二\n3 是\n4 否"
    choices = [
        NumberedChoice(n, w, str(n)) for n, w in ((1, "是"), (2, "否"), (3, "是"), (4, "否"))
    ]
    assert shaped(merged, choices, ChoiceStyle.menu) == TextMessage(with_links(merged, choices))
    # Near WeChat's 2,048 bytes the links do not fit: the numbered text goes as it is.
    long = "好" * 660 + "\n\n1 下一张\n2 提问"
    assert len(long.encode()) <= 2048
    assert shaped(long, [NEXT, ASK], ChoiceStyle.links) == TextMessage(long)
    assert shaped("没有选项", [], ChoiceStyle.links) == TextMessage("没有选项")
