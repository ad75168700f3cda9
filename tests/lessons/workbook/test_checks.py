"""Import checks every cell and reports every problem at once, at its sheet and cell, in the
reader's language; warnings per channel never block."""

from __future__ import annotations

from openpyxl import Workbook

from tests.lessons.workbook.books import edited, errors, imported, put


def several(*changes) -> bytes:
    def change(book: Workbook) -> None:
        for one in changes:
            one(book)

    return edited(change)


def test_every_problem_is_reported_at_once_with_its_cell() -> None:
    data = several(put("Quiz", "I2", 5), put("Lessons", "F3", 0), put("Course", "C4", 2))
    assert errors(imported(data)) == [
        "Course!C4: the pass mark must be a number above 0 and at most 1, for example 0.7.",
    ]
    data = several(put("Quiz", "I2", 5), put("Lessons", "F3", 0), put("Cards", "C4", "fr"))
    assert errors(imported(data)) == [
        "Lessons!F3: “0” must be a whole number, 1 or more.",
        "Cards!C4: language “fr” is not one of this course's: zh, es, en.",
        "Quiz!I2: the right answer is 5 but there are 3 options.",
    ]


def test_the_report_is_in_the_readers_language() -> None:
    assert errors(imported(edited(put("Quiz", "I2", 5)), "zh")) == [
        "Quiz!I2: 正确答案是 5，可是只有 3 个选项。"
    ]


def test_options_must_be_two_to_four_without_gaps() -> None:
    gap = several(put("Quiz", "F2", None))
    assert errors(imported(gap)) == [
        "Quiz!G2: an option after an empty one: fill the options from option 1 without gaps."
    ]
    one = several(put("Quiz", "F2", None), put("Quiz", "G2", None))
    assert errors(imported(one)) == ["Quiz!F2: give 2 to 4 options, not 1."]


def test_explanations_are_one_for_all_or_one_per_option() -> None:
    both = imported(edited(put("Quiz", "J2", "Because.")))
    assert errors(both) == [
        "Quiz!J2: give one explanation for all options or one for each option, not both."
    ]
    short = imported(edited(put("Quiz", "M2", None)))
    assert errors(short) == [
        "Quiz!J2: give one explanation for all options, or one for each of the 3 options."
    ]
    single = several(*(put("Quiz", cell, None) for cell in ("K2", "L2", "M2")))
    result = imported(edited(put("Quiz", "J2", "One for all."), single))
    assert result.errors == []
    assert "  explanation: One for all.\n" in result.files["lessons/getting-started.zh.md"].decode()


def test_tags_markdown_and_card_breaks_are_refused() -> None:
    data = several(
        put("Cards", "D2", "<b>Fresh</b> peaches"),
        put("Cards", "D3", "**Fresh** peaches"),
        put("Cards", "D4", "One card\n---\nor two?"),
        put("Quiz", "D2", "See [this](https://example.com)"),
    )
    found = errors(imported(data))
    assert [error.split(":", 1)[0] for error in found] == [
        "Cards!D2",
        "Cards!D3",
        "Cards!D4",
        "Quiz!D2",
    ]
    assert found[0].endswith("would show in the chat as typed.")


def test_a_card_over_one_message_is_an_error() -> None:
    assert errors(imported(edited(put("Cards", "D2", "字" * 701)))) == [
        "Cards!D2: the card is 701 characters, more than 700: shorten it or split it into two "
        "cards."
    ]


def test_rows_must_name_known_lessons_once() -> None:
    data = several(put("Cards", "A2", "no-such-lesson"), put("Cards", "B4", 2))
    assert errors(imported(data)) == [
        "Cards!A2: no lesson “no-such-lesson” on the lessons sheet: add it there or fix the name.",
        "Cards!B4: given twice: keep one row and delete the other.",
    ]


def test_a_lesson_needs_a_row_cards_and_a_quiz_in_every_language() -> None:
    def drop_rows(book: Workbook) -> None:
        book["Lessons"].delete_rows(2)  # getting-started in zh
        quiz = book["Quiz"]
        quiz.delete_rows(5, 3)  # getting-started's three questions in es

    assert errors(imported(edited(drop_rows))) == [
        "Lessons!B2: lesson getting-started has no row in zh: add one.",
        "Lessons!B2: lesson getting-started has no questions in es: add at least one on the "
        "quiz sheet.",
    ]


def test_a_wrong_order_number_is_one_error() -> None:
    assert errors(imported(edited(put("Lessons", "A2", "first")))) == [
        "Lessons!A2: “first” must be a whole number, 1 or more."
    ]


def test_two_lessons_cannot_share_an_order_number() -> None:
    data = several(*(put("Lessons", f"A{row}", 1) for row in (5, 6, 7)))
    assert errors(imported(data)) == [
        "Lessons!A5: two lessons have the order number 1: give each lesson its own number."
    ]


def test_what_the_content_loader_refuses_is_refused_too() -> None:
    result = imported(edited(put("WhatsApp", "F3", "Hello, today's lesson is ready.")))
    assert len(result.errors) == 1 and not result.files
    # the loader's words, at the row the file's line came from (reminder in es)
    assert str(result.errors[0]) == (
        "WhatsApp!3: in whatsapp.yaml, line 16: reminder in es: body must hold {{1}} once each, "
        "one per parameter"
    )


def test_a_problem_the_loader_finds_in_a_later_card_names_its_row() -> None:
    data = edited(put("Cards", "E4", "walnuts.jpg"))  # getting-started, card 3, zh
    assert errors(imported(data))[0].startswith("Cards!4: in lessons/getting-started.zh.md")


def test_an_image_must_be_in_the_courses_media_folder() -> None:
    data = edited(put("Cards", "E2", "walnuts.jpg"))
    assert errors(imported(data)) == [
        "Cards!2: in lessons/getting-started.zh.md, line 34: unknown image 'walnuts.jpg': add it "
        "to media/ or fix the name"
    ]
    from bot.lessons.workbook import import_workbook

    result = import_workbook(data, "en", media=["walnuts.jpg"])
    assert result.errors == []
    assert (
        result.files["lessons/getting-started.zh.md"]
        .decode()
        .split("---\n")[2]
        .startswith("![](walnuts.jpg)\n")
    )


# --- warnings: per channel, never blocking --------------------------------------------------


def warnings_of(data: bytes) -> list[str]:
    result = imported(data)
    assert result.errors == [] and result.files
    return [str(warning) for warning in result.warnings]


def test_a_long_option_is_one_warning_for_whatsapp_per_question() -> None:
    data = several(put("Quiz", "E2", "x" * 21), put("Quiz", "F2", "y" * 25))
    found = [w for w in warnings_of(data) if w.startswith("Quiz!") and w[6:8] == "2:"]
    assert found == [
        "Quiz!E2: the option is 21 characters: WhatsApp buttons hold 20, so the options are "
        "shown numbered."
    ]


def test_a_card_longer_than_a_phone_screen_is_a_warning() -> None:
    found = warnings_of(edited(put("Cards", "D2", "字" * 301)))
    assert (
        "Cards!D2: the card is 301 characters, more than one phone screen (about 300): think of "
        "splitting it." in found
    )


def test_a_title_longer_than_a_wechat_field_is_a_warning() -> None:
    found = warnings_of(edited(put("Lessons", "D2", "字" * 21)))
    assert (
        "Lessons!D2: the title is 21 characters: WeChat template messages show only the first 20."
        in found
    )
