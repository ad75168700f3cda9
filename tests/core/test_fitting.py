"""Each rule of `fit_replies`, and the hard cases: Chinese with no spaces, emoji, 200 buttons,
empty replies, a caption over its limit, a message budget."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import LANGUAGES
from bot.core.capabilities import LengthUnit
from bot.core.fitting import (
    MENU_PREFIX,
    Wording,
    choice_for_number,
    fit_replies,
    incoming_for_choice,
    shorten,
    split_text,
)
from bot.core.messages import Attachment, Button, Kind, Purpose, Reply, Sender
from bot.i18n import Translator
from tests.core.channel_capabilities import ALL, TELEGRAM_LIKE, WECHAT_LIKE, WHATSAPP_LIKE
from tests.core.fitted import limits_broken

WORDING = Wording(list_opener="Choose", number_hint="Reply with a number:")
NEXT = Button("Next lesson", "les:go")


def fit(replies: list[Reply], caps=WHATSAPP_LIKE) -> list[Reply]:
    fitted = fit_replies(replies, caps, wording=WORDING)
    assert limits_broken(fitted, caps) == []
    assert fit_replies(replies, caps, wording=WORDING) == fitted  # deterministic
    return fitted


@pytest.mark.parametrize("caps", ALL, ids=lambda c: c.name)
def test_nothing_to_say_sends_nothing(caps) -> None:
    assert fit([], caps) == []
    assert fit([Reply(), Reply("  \n ")], caps) == []


def test_consecutive_texts_become_one_message_while_they_fit() -> None:
    assert fit([Reply("One."), Reply("Two."), Reply("Three.", buttons=((NEXT,),))]) == [
        Reply("One.\n\nTwo.\n\nThree.", buttons=((NEXT,),))
    ]
    long = "word " * 700  # 3,500 characters: two of them do not fit 4,096
    assert [m.text for m in fit([Reply(long), Reply(long)])] == [long.strip(), long.strip()]


def test_texts_of_different_purposes_stay_apart() -> None:
    reminder = Reply("Time to study!", purpose=Purpose.reminder)
    assert fit([Reply("Done."), reminder]) == [Reply("Done."), reminder]


def test_a_long_text_is_cut_at_paragraphs_then_lines_then_words() -> None:
    paragraphs = "\n\n".join(f"Paragraph {n}." + " grow" * 150 for n in range(10))
    pieces = split_text(paragraphs, 4096)
    assert all(len(piece) <= 4096 for piece in pieces)
    assert all(piece.startswith("Paragraph") for piece in pieces)  # whole paragraphs each
    assert "\n\n".join(pieces) == paragraphs

    lines = "\n".join("a line of words " * 3 for _ in range(40))
    assert all(piece.endswith("words") for piece in split_text(lines, 500))

    words = " ".join(f"w{n}" for n in range(3000))
    pieces = split_text(words, 1000)
    assert " ".join(pieces) == words  # no word cut in two
    assert all(len(piece) <= 1000 for piece in pieces)


def test_chinese_without_spaces_is_cut_after_a_sentence_within_the_byte_limit() -> None:
    text = "桃子要在清早摘下来，当天就发货。" * 200  # 9,600 bytes of UTF-8
    (*pieces,) = split_text(text, 2048, LengthUnit.utf8)
    assert all(len(piece.encode()) <= 2048 for piece in pieces)
    assert all(piece.endswith("。") for piece in pieces)
    assert "".join(pieces) == text

    no_stops = "桃" * 1000
    pieces = split_text(no_stops, 2048, LengthUnit.utf8)
    assert [len(piece) for piece in pieces] == [682, 318]  # 3 bytes a character
    fitted = fit([Reply(no_stops)], WECHAT_LIKE)
    assert "".join(m.text for m in fitted) == no_stops


def test_emoji_are_never_cut_apart_and_count_as_telegram_counts_them() -> None:
    family = "👨‍👩‍👧"  # three people joined by zero-width joiners
    pieces = split_text(family * 10, 12)
    assert all(piece == family * (len(piece) // len(family)) for piece in pieces)
    assert "".join(pieces) == family * 10
    flags = "🇨🇳🇲🇽" * 5
    assert all(len(piece) % 2 == 0 for piece in split_text(flags, 5))

    peaches = "🍑" * 3000  # 3,000 characters, 6,000 UTF-16 units
    assert [len(m.text) for m in fit([Reply(peaches)], TELEGRAM_LIKE)] == [2048, 952]
    assert len(fit([Reply(peaches)], WHATSAPP_LIKE)) == 1


def test_labels_are_shortened_at_a_word_with_an_ellipsis() -> None:
    assert shorten("Take photos in daylight near a window", 20) == "Take photos in…"
    assert shorten("在白天靠近窗户的地方拍照片", 8) == "在白天靠近窗户…"
    assert shorten("Short", 20) == "Short"


def test_up_to_three_short_buttons_stay_buttons_on_whatsapp() -> None:
    buttons = ((Button("Yes", "y"), Button("No", "n")), (Button("Later", "l"),))
    assert fit([Reply("Ready?", buttons=buttons)]) == [Reply("Ready?", buttons=buttons)]


def test_a_few_long_labels_stay_buttons_numbered_in_the_text() -> None:
    long = "The product you know best of all"  # 32 characters: over 20
    quiz = Reply("What first?", buttons=((Button(long, "a:0"),), (Button("Everything", "a:1"),)))
    (message,) = fit([quiz])
    assert message.choice_list is None and message.numbered == ()
    assert message.text == f"What first?\n\n1 {long}\n2 Everything"
    assert message.buttons == ((Button("1", "a:0"),), (Button("2", "a:1"),))

    start = Reply("Welcome!", buttons=((Button("✏️ Start the questions now", "q"),),))
    (message,) = fit([start])  # one button alone: cut, its full wording in the text
    assert message.buttons == ((Button("✏️ Start the…", "q"),),)
    assert message.text == "Welcome!\n\n✏️ Start the questions now"


def test_more_buttons_become_a_list_with_the_full_label_kept() -> None:
    long = "The product you know best of all"
    four = Reply("Pick", buttons=tuple((Button(f"Option {n}", f"o:{n}"),) for n in range(3)))
    four = replace(four, buttons=(*four.buttons, (Button(long, "a:0"),)))
    (message,) = fit([four])
    assert message.buttons == () and message.choice_list is not None
    assert message.choice_list.opener == "Choose"
    rows = [(r.title, r.description, r.payload) for r in message.choice_list.rows]
    assert rows[-1] == ("The product you know…", long, "a:0") and rows[0][1] == ""

    five = Reply("Pick", buttons=tuple((Button(f"Option {n}", f"o:{n}"),) for n in range(5)))
    (message,) = fit([five])
    assert message.choice_list is not None and len(message.choice_list.rows) == 5


def test_a_label_too_long_for_a_list_row_becomes_a_numbered_choice() -> None:
    very_long = "A" * 30 + " " + "b" * 50  # over 72 characters
    buttons = tuple((Button(label, f"x:{n}"),) for n, label in enumerate([very_long, *"cde"]))
    (message,) = fit([Reply("Pick", buttons=buttons)])
    assert message.choice_list is None and message.buttons == ()
    assert message.text == f"Pick\n\nReply with a number:\n1 {very_long}\n2 c\n3 d\n4 e"


def test_without_lists_a_long_label_is_cut_and_written_in_full_in_the_text() -> None:
    label = "Show me every lesson of this course that I have not finished yet, please"
    (message,) = fit([Reply("Which?", buttons=((Button(label, "x"),),))], TELEGRAM_LIKE)
    (shown,) = message.buttons[0]
    assert shown.payload == "x" and shown.label.endswith("…") and len(shown.label) <= 64
    assert message.text == f"Which?\n\n{label}"


def test_two_hundred_buttons_become_numbered_choices_on_every_channel() -> None:
    buttons = tuple((Button(f"Trainee {n}", f"p:{n}"),) for n in range(1, 201))
    for caps in ALL:
        fitted = fit([Reply("Whom?", buttons=buttons)], caps)
        numbered = [choice for m in fitted for choice in m.numbered]
        assert [c.number for c in numbered] == list(range(1, 201)), caps.name
        assert choice_for_number(numbered, " 200 ") == "p:200"
        assert choice_for_number(numbered, "201") is None
        assert choice_for_number(numbered, "٣") is None  # only ASCII digits
        text = "\n".join(m.text for m in fitted)
        assert "\n1 Trainee 1\n" in text and text.endswith("200 Trainee 200")


def test_numbers_run_on_across_the_replies_of_one_answer() -> None:
    replies = [Reply("A", buttons=((NEXT,),)), Reply("B", buttons=((Button("Stop", "s"),),))]
    (message,) = fit(replies, WECHAT_LIKE)
    assert message.text == "A\n\nReply with a number:\n1 Next lesson\n\nB\n\n2 Stop"
    assert choice_for_number(message.numbered, "2") == "s"


def test_a_text_too_long_for_buttons_goes_first_and_the_buttons_on_a_short_last_message() -> None:
    text = "\n\n".join(["A paragraph of some forty-two characters."] * 30)  # 1,290 characters
    first, last = fit([Reply(text, buttons=((NEXT,),))])
    assert first.buttons == () and last.buttons == ((NEXT,),)
    assert len(last.text) <= 1024 and f"{first.text}\n\n{last.text}" == text


def test_an_edit_becomes_a_new_message_where_edits_are_impossible() -> None:
    edit = Reply("✅ Right!", edit=True)
    assert fit([edit], TELEGRAM_LIKE) == [edit]
    assert fit([edit], WHATSAPP_LIKE) == [Reply("✅ Right!")]
    split = fit([Reply("x " * 3000, edit=True)], TELEGRAM_LIKE)
    assert len(split) == 2 and not any(m.edit for m in split)


def test_where_there_is_no_menu_its_items_are_offered_unless_something_else_is() -> None:
    menu = (("▶ Lesson", "📊 My progress"), ("❓ Help", "🌐 Language"))
    (message,) = fit([Reply("Hello!", menu=menu)])
    assert message.menu is None and message.choice_list is not None
    payloads = [row.payload for row in message.choice_list.rows]
    assert payloads == [MENU_PREFIX + label for row in menu for label in row]
    sender = Sender("whatsapp", "52155")
    typed = incoming_for_choice(sender, payloads[1])
    assert (typed.kind, typed.text) == (Kind.text, "📊 My progress")
    tapped = incoming_for_choice(sender, "les:go")
    assert (tapped.kind, tapped.payload) == (Kind.button, "les:go")

    card = Reply("Card 1", buttons=((NEXT,),))
    assert fit([Reply("Welcome!", menu=menu), card]) == [
        Reply("Welcome!\n\nCard 1", buttons=((NEXT,),))
    ]
    assert fit([Reply("Hello!", menu=menu)], TELEGRAM_LIKE) == [Reply("Hello!", menu=menu)]


def test_a_caption_over_its_limit_follows_the_photo_as_a_text() -> None:
    chart = Attachment("chart.png", data=b"png")
    caption = "📈 " + "numbers " * 200  # 1,602 characters
    photo, text = fit([Reply(caption, image=chart, buttons=((NEXT,),))], TELEGRAM_LIKE)
    assert photo == Reply(image=chart)
    assert text.text == caption.strip() and text.buttons == ((NEXT,),)
    photo, first, last = fit([Reply(caption, image=chart, buttons=((NEXT,),))])  # 1,024 max
    assert (photo, first.buttons, last.buttons) == (Reply(image=chart), (), ((NEXT,),))
    assert fit([Reply("📈 Short", image=chart)]) == [Reply("📈 Short", image=chart)]
    # WeChat photos carry no text at all.
    assert fit([Reply("📈 Short", image=chart)], WECHAT_LIKE) == [
        Reply(image=chart),
        Reply("📈 Short"),
    ]


def test_a_photo_and_a_document_are_two_messages() -> None:
    chart, sheet = Attachment("chart.png", data=b"png"), Attachment("s.xlsx", data=b"xl")
    assert fit([Reply("Stats", image=chart, document=sheet)], TELEGRAM_LIKE) == [
        Reply(image=chart),
        Reply("Stats", document=sheet),
    ]


def test_a_document_the_channel_cannot_send_becomes_a_line_saying_where_it_is() -> None:
    sheet = Attachment("trainees.xlsx", data=b"xl")
    wording = Wording(file_elsewhere="📎 {filename}: see the web page.")
    (message,) = fit_replies([Reply("Your class", document=sheet)], WECHAT_LIKE, wording=wording)
    assert message == Reply("Your class\n\n📎 trainees.xlsx: see the web page.")


def test_a_document_sent_as_a_link_stays_alone_after_the_reply_s_words() -> None:
    linking = replace(WECHAT_LIKE, documents_as_links=True)
    sheet = Attachment("trainees.xlsx", data=b"xl")
    chart = Attachment("chart.png", data=b"png")
    assert fit([Reply("Your class", document=sheet)], linking) == [
        Reply("Your class"),
        Reply(document=sheet),
    ]
    assert fit([Reply(document=sheet)], linking) == [Reply(document=sheet)]
    fitted = fit([Reply("Stats", image=chart, document=sheet, buttons=((NEXT,),))], linking)
    assert [(m.image, m.document, bool(m.numbered)) for m in fitted] == [
        (chart, None, False),
        (None, None, True),
        (None, sheet, False),
    ]
    # Never merged with the words of the reply after it.
    assert fit([Reply(document=sheet), Reply("Next")], linking) == [
        Reply(document=sheet),
        Reply("Next"),
    ]
    # A channel that sends documents keeps them as before.
    assert fit([Reply("Your class", document=sheet)], TELEGRAM_LIKE) == [
        Reply("Your class", document=sheet)
    ]


def test_a_budget_keeps_the_first_messages_and_the_last_one_offering_choices() -> None:
    photos = [Reply(image=Attachment(f"{n}.png", ref=f"f{n}")) for n in range(6)]
    replies = [*photos, Reply("下一步？", buttons=((NEXT,),)), Reply(image=photos[0].image)]
    fitted = fit(replies, WECHAT_LIKE)
    assert fitted == [
        *photos[:4],
        Reply("下一步？\n\nReply with a number:\n1 Next lesson", numbered=fitted[-1].numbered),
    ]
    assert choice_for_number(fitted[-1].numbered, "1") == "les:go"
    without_choices = [Reply(f"{n}", image=photos[n].image) for n in range(6)]
    assert fit(without_choices, WECHAT_LIKE)[-1] == Reply("5")  # the last message is kept


def test_the_purpose_of_a_scheduled_message_reaches_every_piece() -> None:
    lesson = Reply("x " * 3000, buttons=((NEXT,),), purpose=Purpose.lesson)
    for caps in ALL:
        assert {m.purpose for m in fit([lesson], caps)} == {Purpose.lesson}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_words_fitting_adds_come_from_the_catalogs(language: str) -> None:
    wording = Wording.from_catalog(Translator(language))
    assert wording.list_opener and len(wording.list_opener) <= 20  # a WhatsApp button
    assert wording.number_hint and "{filename}" in wording.file_elsewhere
    sheet = Attachment("trainees.xlsx", data=b"xl")
    (message,) = fit_replies([Reply(document=sheet)], WECHAT_LIKE, wording=wording)
    assert "trainees.xlsx" in message.text


def test_fitting_a_reply_twice_changes_nothing() -> None:
    quiz = Reply("Q?", buttons=tuple((Button(f"Answer {n}", f"a:{n}"),) for n in range(5)))
    for caps in ALL:
        once = fit([quiz], caps)
        assert fit(once, caps) == once


@pytest.mark.parametrize("unit", list(LengthUnit))
def test_fits_says_what_measuring_says(unit: LengthUnit) -> None:
    for text in ("", "abc", "桃子", "🍑🍑", "a桃🍑" * 50, "é" * 10):
        for limit in range(0, 400, 7):
            assert unit.fits(text, limit) == (unit.measure(text) <= limit), (text, limit)
        assert unit.measure(text) == sum(unit.cost(char) for char in text)


def test_a_reply_that_fits_goes_through_unchanged() -> None:
    card = Reply(" Card ", buttons=((NEXT,),), menu=(("▶ Lesson",),), edit=True)
    (same,) = fit_replies([replace(card, text="Card")], TELEGRAM_LIKE)
    assert same == replace(card, text="Card")
    assert fit([card], TELEGRAM_LIKE) == [replace(card, text="Card")]  # trimmed on the way
