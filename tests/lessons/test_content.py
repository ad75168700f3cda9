"""The content loader: the sample and starter courses load, and each broken rule is reported
with its exact file, line and message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.content import content_app
from bot.core.payloads import LARGEST_NUMBER, CohortCourse, QuizAnswerTap
from bot.lessons.content import (
    SLUG_LENGTH,
    ContentError,
    Problem,
    load_course,
    load_library,
    require_library,
)

SAMPLE = Path(__file__).parents[1] / "content"
STARTER = Path(__file__).parents[2] / "content"

COURSE = "course.yaml"
FIRST = "lessons/first-steps.en.md"
PHOTOS = "lessons/good-photos.en.md"
FRONT_MATTER_END = 19  # the line closing first-steps.en.md's front matter
SYNTAX_HINT = "check the indentation (spaces, not tabs) and quote text holding ': ' or ' #'"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the sample content folder, free to break."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    return target


def course_file(content: Path, relative: str) -> Path:
    return content / "courses" / "sample" / relative


def edit(content: Path, relative: str, old: str, new: str) -> None:
    path = course_file(content, relative)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {relative} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def with_body(content: Path, relative: str, body: str) -> None:
    """Keep the file's front matter and replace everything after it."""
    path = course_file(content, relative)
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:FRONT_MATTER_END]) + "\n" + body, encoding="utf-8")


def shown(problem: Problem, content: Path) -> str:
    """The problem with its path relative to the sample course (or the content folder)."""
    path = problem.path
    for base in (content.resolve() / "courses" / "sample", content.resolve()):
        if path != base and path.is_relative_to(base):
            path = path.relative_to(base)
            break
    where = f"{path.as_posix()}:{problem.line}" if problem.line else path.as_posix()
    return f"{where}: {problem.message}"


def report(content: Path) -> list[str]:
    courses, problems = load_library(content)
    assert ("sample" in courses) == (not problems)
    return [shown(problem, content) for problem in problems]


# --- what loads -------------------------------------------------------------------------------


def test_the_sample_course_loads_whole() -> None:
    courses, problems = load_library(SAMPLE)
    assert problems == []
    course = courses["sample"]
    assert course.languages == ("zh", "es", "en")
    assert course.pass_mark == 0.5
    assert course.lessons == ("first-steps", "good-photos")
    assert len(course.texts) == 6
    assert course.title["es"] == "Prueba: venda duraznos por internet"
    assert course.root == (SAMPLE / "courses" / "sample").resolve()
    for language in course.languages:
        assert [len(course.lesson(slug, language).cards) for slug in course.lessons] == [2, 3]
        assert [len(course.lesson(slug, language).quiz) for slug in course.lessons] == [2, 2]


def test_answers_count_from_zero_and_explanations_cover_every_option() -> None:
    course = require_library(SAMPLE)["sample"]
    lesson = course.lesson("first-steps", "en")
    one, two = lesson.quiz
    assert (one.answer, two.answer) == (0, 1)
    assert one.options == ("The product you know best", "Everything you have")
    assert one.explanations == ("Start with one product you know well. Add more later.",) * 2
    assert two.explanations[2] == "You do not need to pay anyone to start."
    assert lesson.minutes == 3
    assert lesson.source == course.root / FIRST


def test_cards_keep_their_line_and_an_image_card_its_absolute_path() -> None:
    course = require_library(SAMPLE)["sample"]
    cards = course.lesson("good-photos", "en").cards
    assert [card.line for card in cards] == [20, 25, 29]
    image = cards[1].image
    assert image == course.root / "media" / "peach.png"
    assert image.is_absolute() and image.read_bytes().startswith(b"\x89PNG")
    assert cards[1].text.startswith("Cut one peach open")
    assert cards[0].image is None
    assert cards[0].text.endswith("on a plain table or cloth.")
    for language in ("zh", "es"):
        assert course.lesson("good-photos", language).cards[1].image == image


def test_a_cover_image_resolves_into_media(content: Path) -> None:
    edit(content, FIRST, "minutes: 3\n", "minutes: 3\nimage: peach.png\n")
    course = require_library(content)["sample"]
    assert course.lesson("first-steps", "en").image == course.root / "media" / "peach.png"
    assert course.lesson("first-steps", "es").image is None


def test_the_starter_course_has_no_problem() -> None:
    courses, problems = load_library(STARTER)
    assert [str(problem) for problem in problems] == []
    course = courses["sell-online"]
    assert len(course.lessons) == 12
    assert course.languages == ("zh", "es", "en")
    assert len(course.texts) == 12 * 3


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        (COURSE, "pass_mark: 0.5", "pass_mark: 1"),
        (FIRST, "answer: 2", "answer: 3"),  # the last of three options
        (FIRST, "options:\n      - The", "options:\n      - Yes\n      - No\n      - The"),
        (
            FIRST,
            "summary: Start with the thing you know best, and sell it well.",
            "summary: 'Start small: sell what you know best.'",
        ),
        (PHOTOS, "\n---\n![", "\n---\n\n\n!["),  # blank lines before an image card
    ],
)
def test_edge_values_are_accepted(content: Path, relative: str, old: str, new: str) -> None:
    edit(content, relative, old, new)
    assert report(content) == []


def test_an_option_yaml_reads_as_a_bool_stays_as_written(content: Path) -> None:
    edit(content, FIRST, "      - Everything you have", "      - No")
    course = require_library(content)["sample"]
    assert course.lesson("first-steps", "en").quiz[0].options[1] == "No"


def test_windows_line_ends_and_a_byte_order_mark_keep_the_lines(content: Path) -> None:
    path = course_file(content, FIRST)
    text = path.read_text(encoding="utf-8").replace("minutes: 3", "minutes: 0")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert report(content) == [
        f"{FIRST}:4: 'minutes' must be a whole number above 0 (the reading time)"
    ]


@pytest.mark.parametrize("letter", ["a", "桃"])
def test_a_card_of_exactly_700_characters_passes(content: Path, letter: str) -> None:
    with_body(content, FIRST, letter * 700 + "\n")
    assert report(content) == []


def test_an_image_caption_may_be_longer_than_a_text_card(content: Path) -> None:
    edit(content, PHOTOS, "Cut one peach open and put a coin next to it.", "c" * 960)
    assert report(content) == []
    course = require_library(content)["sample"]
    assert len(course.lesson("good-photos", "en").cards[1].text) == 1000


# --- course.yaml ------------------------------------------------------------------------------

COURSE_CASES = [
    pytest.param(
        "pass_mark: 0.5\n",
        "",
        "course.yaml:1: missing 'pass_mark': add the share of right answers to pass, e.g. 0.7",
        id="missing-field",
    ),
    pytest.param(
        "pass_mark: 0.5",
        "pass_mark: 0",
        "course.yaml:4: 'pass_mark' must be a number above 0 and at most 1, e.g. 0.7",
        id="pass-mark-zero",
    ),
    pytest.param(
        "pass_mark: 0.5",
        "pass_mark: 1.5",
        "course.yaml:4: 'pass_mark' must be a number above 0 and at most 1, e.g. 0.7",
        id="pass-mark-above-one",
    ),
    pytest.param(
        "pass_mark: 0.5",
        "pass_mark: half",
        "course.yaml:4: 'pass_mark' must be a number above 0 and at most 1, e.g. 0.7",
        id="pass-mark-text",
    ),
    pytest.param(
        "languages: [zh, es, en]",
        "languages: [zh, es, en, fr]",
        "course.yaml:3: unknown language 'fr': use zh, es, en",
        id="unknown-language",
    ),
    pytest.param(
        "languages: [zh, es, en]",
        "languages:\n  - zh\n  - es\n  - en\n  - es",
        "course.yaml:7: language 'es' is listed twice",
        id="language-twice",
    ),
    pytest.param(
        "languages: [zh, es, en]",
        "languages: []",
        "course.yaml:3: 'languages' must be a list such as [zh, es, en]",
        id="no-languages",
    ),
    pytest.param(
        "  en: 'Try it: sell peaches online'\n",
        "",
        "course.yaml:5: 'title' has no en text: add 'en: ...'",
        id="title-missing-a-language",
    ),
    pytest.param(
        "  es: ¡Bienvenida! Son dos lecciones de pocos minutos.",
        "  es: ''",
        "course.yaml:15: 'welcome' in es is empty: write it",
        id="welcome-empty",
    ),
    pytest.param(
        "  en: 'Try it: sell peaches online'",
        "  en: 'Try it: sell peaches online'\n  fr: Essayez",
        "course.yaml:9: 'title' has unknown language 'fr': use zh, es or en",
        id="title-unknown-language",
    ),
    pytest.param(
        "summary:\n  zh: 两节小课：先挑一样产品，再拍一张好照片。\n"
        "  es: Dos lecciones cortas para empezar a vender con su celular.\n"
        "  en: Two short lessons to start selling with your phone.\n",
        "summary: Two short lessons.\n",
        "course.yaml:9: 'summary' must have one line per language, e.g. 'en: ...'",
        id="summary-not-per-language",
    ),
    pytest.param(
        "lessons:\n  - first-steps\n  - good-photos\n",
        "lessons: []\n",
        "course.yaml:17: 'lessons' must be a list of at least one lesson slug",
        id="no-lessons",
    ),
    pytest.param(
        "  - good-photos",
        "  - good-photos\n  - Bad_Slug",
        "course.yaml:20: lesson slug 'Bad_Slug' must be lowercase letters, digits and dashes, "
        "e.g. product-photos",
        id="bad-slug",
    ),
    pytest.param(
        "  - good-photos",
        "  - good-photos\n  - first-steps",
        "course.yaml:20: lesson 'first-steps' is listed twice (also on line 18)",
        id="duplicate-slug",
    ),
    pytest.param(
        "id: sample",
        "id: other",
        "course.yaml:2: course id 'other' differs from its folder 'sample': make them equal",
        id="id-not-folder",
    ),
    pytest.param(
        "id: sample",
        "id: Sample",
        "course.yaml:2: course id 'Sample' must be lowercase letters, digits and dashes",
        id="id-format",
    ),
    pytest.param(
        "pass_mark: 0.5",
        "pass_mark: 0.5\npassmark: 0.6",
        "course.yaml:5: unknown key 'passmark': did you mean 'pass_mark'?",
        id="unknown-key",
    ),
    pytest.param(
        "id: sample",
        "id: sample\nid: sample",
        "course.yaml:3: 'id' is given twice (also on line 2)",
        id="duplicate-key",
    ),
    pytest.param(
        "  en: Two short lessons to start selling with your phone.",
        "  en: Two lessons: start selling",
        f"course.yaml:12: YAML syntax error: mapping values are not allowed here; {SYNTAX_HINT}",
        id="broken-yaml",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), COURSE_CASES)
def test_course_file_problems(content: Path, old: str, new: str, expected: str) -> None:
    edit(content, COURSE, old, new)
    assert report(content) == [expected]


def test_course_file_that_is_not_a_mapping(content: Path) -> None:
    course_file(content, COURSE).write_text("- sample\n", encoding="utf-8")
    assert report(content) == [
        "course.yaml:1: course.yaml must be keys and values: id:, languages:, pass_mark:, ..."
    ]


def test_a_folder_without_course_yaml(content: Path) -> None:
    course_file(content, COURSE).unlink()
    assert report(content) == [
        "courses/sample: no course.yaml here: add one (see docs/content-format.md)"
    ]


# --- which lesson files exist -----------------------------------------------------------------


def test_a_slug_longer_than_a_button_carries_is_refused(content: Path) -> None:
    """Buttons carry lesson slugs and course ids within Telegram's 64 bytes (the database's
    columns hold 64 characters), so such a lesson would pass the check and then fail for every
    trainee."""
    long = "good-photos-" + "x" * 29  # 41 characters
    edit(content, COURSE, "  - good-photos", f"  - {long}")
    for path in course_file(content, "lessons").glob("good-photos.*.md"):
        path.rename(path.with_name(path.name.replace("good-photos", long)))
    edit(content, COURSE, "id: sample", "id: " + "s" * 41)
    assert report(content) == [
        f"course.yaml:2: course id '{'s' * 41}' is too long: keep it to 40 characters",
        f"course.yaml:19: lesson slug '{long}' is too long: keep it to 40 characters",
    ]


def test_the_longest_slug_fits_every_button_that_carries_it() -> None:
    slug = "s" * SLUG_LENGTH
    assert QuizAnswerTap(slug, 9999, 99, 9).pack()
    assert CohortCourse(LARGEST_NUMBER, slug).pack()


def test_a_lesson_missing_in_a_language_points_at_its_slug(content: Path) -> None:
    course_file(content, "lessons/good-photos.es.md").unlink()
    assert report(content) == [
        "course.yaml:19: lesson 'good-photos' has no es text: add lessons/good-photos.es.md"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pricing.en.md", "lesson 'pricing' is not in course.yaml's lessons: list it or delete it"),
        (
            "first-steps.fr.md",
            "unknown language 'fr' in the file name: use zh, es or en",
        ),
        ("notes.md", "lesson file name must be <slug>.<language>.md, e.g. pricing.en.md"),
        ("First_Steps.en.md", "lesson file name must be <slug>.<language>.md, e.g. pricing.en.md"),
    ],
)
def test_a_lesson_file_the_course_does_not_list(content: Path, name: str, expected: str) -> None:
    shutil.copy(course_file(content, FIRST), course_file(content, f"lessons/{name}"))
    assert report(content) == [f"lessons/{name}:1: {expected}"]


def test_a_lesson_file_in_a_language_the_course_does_not_teach(content: Path) -> None:
    edit(content, COURSE, "languages: [zh, es, en]", "languages: [zh, en]")
    edit(content, COURSE, "  es: 'Prueba: venda duraznos por internet'\n", "")
    assert report(content) == [
        f"lessons/{slug}.es.md:1: language 'es' is not in course.yaml's languages (zh, en): "
        "add it there or delete the file"
        for slug in ("first-steps", "good-photos")
    ]


# --- front matter -----------------------------------------------------------------------------

FRONT_MATTER_CASES = [
    pytest.param(
        "---\ntitle: Choose",
        "title: Choose",
        "1: no front matter: start the file with a '---' line, then title:, summary:, ...",
        id="no-front-matter",
    ),
    pytest.param(
        "title: Choose one product to start with",
        "title: 'Choose: one product",
        "18: YAML syntax error: found unexpected end of stream "
        f"(while scanning a quoted scalar from line 2); {SYNTAX_HINT}",
        id="broken-yaml-where-pyyaml-says",
    ),
    pytest.param(
        "explanation: Start with one product you know well.",
        "explanation: Start: with one product you know well.",
        f"11: YAML syntax error: mapping values are not allowed here; {SYNTAX_HINT}",
        id="broken-yaml-deep",
    ),
    pytest.param(
        "title: Choose one product to start with\n",
        "",
        "1: missing 'title': add it",
        id="missing-title",
    ),
    pytest.param(
        "title: Choose one product to start with",
        "title:",
        "2: 'title' is empty: write it",
        id="empty-title",
    ),
    pytest.param(
        "summary: Start with the thing you know best, and sell it well.",
        "summary: [Start small, sell well]",
        "3: 'summary' must be text",
        id="summary-not-text",
    ),
    pytest.param(
        "minutes: 3",
        "minutes: 0",
        "4: 'minutes' must be a whole number above 0 (the reading time)",
        id="minutes-zero",
    ),
    pytest.param(
        "minutes: 3",
        "minutes: three",
        "4: 'minutes' must be a whole number above 0 (the reading time)",
        id="minutes-text",
    ),
    pytest.param(
        "minutes: 3",
        "minutes: 2.5",
        "4: 'minutes' must be a whole number above 0 (the reading time)",
        id="minutes-fraction",
    ),
    pytest.param(
        "minutes: 3\n",
        "",
        "1: missing 'minutes': add the reading time, e.g. 'minutes: 5'",
        id="missing-minutes",
    ),
    pytest.param(
        "minutes: 3\n",
        "minutes: 3\nimages: peach.png\n",
        "5: unknown key 'images': did you mean 'image'?",
        id="unknown-key",
    ),
    pytest.param(
        "minutes: 3\n",
        "minutes: 3\nminutes: 4\n",
        "5: 'minutes' is given twice (also on line 4)",
        id="duplicate-key",
    ),
    pytest.param(
        "minutes: 3\n",
        "minutes: 3\nimage: plum.png\n",
        "5: unknown image 'plum.png': add it to media/ or fix the name",
        id="unknown-cover-image",
    ),
    pytest.param(
        "minutes: 3\n",
        "minutes: 3\nimage: ../course.yaml\n",
        "5: image '../course.yaml' must be a file in media/: remove '..' and any leading '/'",
        id="cover-image-outside-media",
    ),
    pytest.param(
        "minutes: 3\n",
        "minutes: 3\nimage: /etc/hosts\n",
        "5: image '/etc/hosts' must be a file in media/: remove '..' and any leading '/'",
        id="cover-image-absolute",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), FRONT_MATTER_CASES)
def test_front_matter_problems(content: Path, old: str, new: str, expected: str) -> None:
    edit(content, FIRST, old, new)
    assert report(content) == [f"{FIRST}:{expected}"]


def test_a_typo_in_quiz_is_not_silent(content: Path) -> None:
    edit(content, FIRST, "quiz:", "quizz:")
    assert report(content) == [
        f"{FIRST}:1: missing 'quiz': add at least one question",
        f"{FIRST}:5: unknown key 'quizz': did you mean 'quiz'?",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: Lost\n", "1: front matter is not closed: add a '---' line after the quiz"),
        (
            "---\n- a list\n---\nText.\n",
            "2: front matter must be keys and values: title:, summary:, minutes:, quiz:",
        ),
        (
            "---\n---\nText.\n",
            "1: front matter must be keys and values: title:, summary:, minutes:, quiz:",
        ),
        (
            "---\ntitle: T\nsummary: S\nminutes: 1\nquiz: []\n---\nText.\n",
            "5: 'quiz' must be a list of at least one question ('- question: ...')",
        ),
        ("", "1: no front matter: start the file with a '---' line, then title:, summary:, ..."),
    ],
)
def test_whole_file_problems(content: Path, text: str, expected: str) -> None:
    course_file(content, FIRST).write_text(text, encoding="utf-8")
    assert report(content) == [f"{FIRST}:{expected}"]


def test_a_file_that_is_not_utf8(content: Path) -> None:
    path = course_file(content, FIRST)
    text = path.read_text(encoding="utf-8").replace("sell it well", "sell it in the café")
    path.write_bytes(text.encode("latin-1"))
    assert report(content) == [f"{FIRST}:3: not UTF-8 text: save the file with UTF-8 encoding"]


def test_a_course_file_that_is_not_utf8(content: Path) -> None:
    path = course_file(content, COURSE)
    path.write_bytes(path.read_bytes().replace("¡Bienvenida!".encode(), b"\xa1Bienvenida!"))
    assert report(content) == ["course.yaml:15: not UTF-8 text: save the file with UTF-8 encoding"]


# --- quiz questions ---------------------------------------------------------------------------

QUESTION_CASES = [
    pytest.param(
        "  - question: What should you sell first?\n    options:",
        "  - options:",
        "6: question 1: missing 'question': add it",
        id="missing-question-text",
    ),
    pytest.param(
        "quiz:\n",
        "quiz:\n  - Is this a question?\n",
        "6: question 1: give question:, options:, answer: and explanation:",
        id="question-not-a-mapping",
    ),
    pytest.param(
        "      - Everything you have\n",
        "",
        "7: question 1: give 2 to 4 options, not 1",
        id="one-option",
    ),
    pytest.param(
        "      - Everything you have",
        "      - ''",
        "9: question 1: option 2 is empty: write it",
        id="empty-option",
    ),
    pytest.param(
        "      - Everything you have",
        "      -",
        "9: question 1: option 2 is empty: write it",
        id="blank-option",
    ),
    pytest.param(
        "    options:\n      - The product you know best\n      - Everything you have\n",
        "    options: The product you know best\n",
        "7: question 1: 'options' must be a list of 2 to 4 choices",
        id="options-not-a-list",
    ),
    pytest.param(
        "    answer: 2",
        "    answer: 4",
        "14: quiz answer out of range: question 2 has 3 options, so 'answer' is 1 to 3, not 4",
        id="answer-too-high",
    ),
    pytest.param(
        "    answer: 1",
        "    answer: 0",
        "10: quiz answer out of range: question 1 has 2 options, so 'answer' is 1 to 2, not 0",
        id="answer-zero",
    ),
    pytest.param(
        "    answer: 1",
        "    answer: first",
        "10: question 1: 'answer' must be the number of the right option, from 1",
        id="answer-not-a-number",
    ),
    pytest.param(
        "    answer: 1\n",
        "",
        "6: question 1: missing 'answer': the number of the right option, from 1",
        id="missing-answer",
    ),
    pytest.param(
        "    explanation: Start with one product you know well. Add more later.\n",
        "",
        "6: question 1: missing 'explanation' (or 'explanations', one per option)",
        id="missing-explanation",
    ),
    pytest.param(
        "    explanation: Start with one product you know well. Add more later.",
        "    explanation: ' '",
        "11: question 1: 'explanation' is empty: write it",
        id="empty-explanation",
    ),
    pytest.param(
        "      - You do not need to pay anyone to start.\n",
        "",
        "15: question 2: 2 explanations for 3 options: give one per option",
        id="too-few-explanations",
    ),
    pytest.param(
        "      - Many people are happy to help. Ask around.",
        "      -",
        "16: question 2: explanation 1 is empty: write it",
        id="empty-explanation-entry",
    ),
    pytest.param(
        "    answer: 2\n",
        "    answer: 2\n    explanation: Right.\n",
        "16: question 2: give 'explanation' or 'explanations', not both",
        id="both-explanations",
    ),
    pytest.param(
        "    explanations:\n      - Many people are happy to help. Ask around.\n"
        "      - Right. Someone who uses a phone every day can help in an afternoon.\n"
        "      - You do not need to pay anyone to start.\n",
        "    explanations: Because.\n",
        "15: question 2: 'explanations' must be a list, one per option",
        id="explanations-not-a-list",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), QUESTION_CASES)
def test_question_problems(content: Path, old: str, new: str, expected: str) -> None:
    edit(content, FIRST, old, new)
    assert report(content) == [f"{FIRST}:{expected}"]


def test_an_unknown_question_key_is_reported_with_what_it_hides(content: Path) -> None:
    edit(content, FIRST, "    answer: 1", "    anwser: 1")
    assert report(content) == [
        f"{FIRST}:6: question 1: missing 'answer': the number of the right option, from 1",
        f"{FIRST}:10: question 1: unknown key 'anwser': did you mean 'answer'?",
    ]


def test_too_many_options_also_miscount_the_explanations(content: Path) -> None:
    edit(content, FIRST, "[Nobody, A young relative, A paid company]", "[a, b, c, d, e]")
    assert report(content) == [
        f"{FIRST}:13: question 2: give 2 to 4 options, not 5",
        f"{FIRST}:15: question 2: 3 explanations for 5 options: give one per option",
    ]


# --- cards ------------------------------------------------------------------------------------


CARD_CASES = [
    pytest.param(
        FIRST,
        "---\nYou only need",
        "---\n---\nYou only need",
        "25: empty card: remove this '---' line or write text above it",
        id="two-separators-in-a-row",
    ),
    pytest.param(
        FIRST,
        "---\nPick one product",
        "---\n---\nPick one product",
        "20: empty card: remove this '---' line or write text above it",
        id="separator-right-after-front-matter",
    ),
    pytest.param(
        FIRST,
        "---\nYou only need",
        "---\n   \n\n---\nYou only need",
        "27: empty card: remove this '---' line or write text above it",
        id="card-of-blank-lines",
    ),
    pytest.param(
        FIRST,
        "open the shop app.\n",
        "open the shop app.\n\n---\n\n",
        "29: empty card at the end: remove this last '---' line",
        id="separator-at-the-end",
    ),
    pytest.param(
        PHOTOS,
        "](peach.png)",
        "](plum.png)",
        "25: unknown image 'plum.png': add it to media/ or fix the name",
        id="unknown-card-image",
    ),
    pytest.param(
        PHOTOS,
        "](peach.png)",
        "](../../sample/media/peach.png)",
        "25: image '../../sample/media/peach.png' must be a file in media/: "
        "remove '..' and any leading '/'",
        id="card-image-outside-media",
    ),
    pytest.param(
        PHOTOS,
        "Cut one peach open and put a coin next to it.",
        "c" * 961,
        "25: image caption is 1001 characters long, over 1000: "
        "shorten it or move text to a card of its own",
        id="caption-too-long",
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), CARD_CASES)
def test_card_problems(content: Path, relative: str, old: str, new: str, expected: str) -> None:
    edit(content, relative, old, new)
    assert report(content) == [f"{relative}:{expected}"]


@pytest.mark.parametrize("body", ["", "\n\n  \n"])
def test_a_lesson_without_cards(content: Path, body: str) -> None:
    with_body(content, FIRST, body)
    assert report(content) == [
        f"{FIRST}:{FRONT_MATTER_END}: no cards: write the lesson's text after the front matter"
    ]


@pytest.mark.parametrize("letter", ["a", "桃"])
def test_a_card_over_700_characters_says_how_long_it_is(content: Path, letter: str) -> None:
    with_body(content, FIRST, "Short card.\n\n---\n\n" + letter * 650 + "\n" + letter * 50 + "\n")
    assert report(content) == [
        f"{FIRST}:24: card is 701 characters long, over 700: "
        "shorten it or split it with a '---' line"
    ]


# --- libraries and reports --------------------------------------------------------------------


def test_every_problem_is_collected_in_file_order(content: Path) -> None:
    edit(content, COURSE, "pass_mark: 0.5", "pass_mark: 2")
    edit(content, PHOTOS, "minutes: 4", "minutes: -1")
    edit(content, FIRST, "    answer: 2", "    answer: 9")
    edit(content, FIRST, "title: Choose one product to start with", "title: ''")
    course_file(content, "lessons/good-photos.zh.md").unlink()
    assert report(content) == [
        "course.yaml:4: 'pass_mark' must be a number above 0 and at most 1, e.g. 0.7",
        "course.yaml:19: lesson 'good-photos' has no zh text: add lessons/good-photos.zh.md",
        f"{FIRST}:2: 'title' is empty: write it",
        f"{FIRST}:14: quiz answer out of range: question 2 has 3 options, "
        "so 'answer' is 1 to 3, not 9",
        f"{PHOTOS}:4: 'minutes' must be a whole number above 0 (the reading time)",
    ]


def test_load_course_reads_one_course_folder(content: Path) -> None:
    course, problems = load_course(content / "courses" / "sample")
    assert problems == [] and course is not None and course.id == "sample"
    edit(content, FIRST, "minutes: 3", "minutes: 0")
    course, problems = load_course(content / "courses" / "sample")
    assert course is None and [p.line for p in problems] == [4]


def test_a_missing_content_folder(tmp_path: Path) -> None:
    courses, problems = load_library(tmp_path / "nowhere")
    assert courses == {}
    assert problems == [
        Problem((tmp_path / "nowhere").resolve(), 0, "content folder not found: check the path")
    ]


@pytest.mark.parametrize("make_courses_folder", [False, True])
def test_an_empty_content_folder(tmp_path: Path, make_courses_folder: bool) -> None:
    if make_courses_folder:
        (tmp_path / "courses").mkdir()
    courses, problems = load_library(tmp_path)
    assert courses == {}
    assert [shown(p, tmp_path) for p in problems] == [
        "courses: no courses: add courses/<id>/course.yaml"
    ]


def test_a_good_course_still_loads_beside_a_broken_one(content: Path) -> None:
    other = content / "courses" / "other"
    shutil.copytree(content / "courses" / "sample", other)
    (other / COURSE).write_text(
        (other / COURSE).read_text(encoding="utf-8").replace("id: sample", "id: other"),
        encoding="utf-8",
    )
    edit(content, FIRST, "minutes: 3", "minutes: 0")
    courses, problems = load_library(content)
    assert list(courses) == ["other"]
    assert [shown(p, content) for p in problems] == [
        f"{FIRST}:4: 'minutes' must be a whole number above 0 (the reading time)"
    ]


def test_require_library_raises_with_the_whole_report(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(content, FIRST, "minutes: 3", "minutes: 0")
    edit(content, PHOTOS, "](peach.png)", "](plum.png)")
    monkeypatch.chdir(content)
    with pytest.raises(ContentError) as raised:
        require_library(content)
    assert len(raised.value.problems) == 2
    assert str(raised.value) == (
        "courses/sample/lessons/first-steps.en.md:4: "
        "'minutes' must be a whole number above 0 (the reading time)\n"
        "courses/sample/lessons/good-photos.en.md:25: "
        "unknown image 'plum.png': add it to media/ or fix the name"
    )


def test_a_problem_shows_its_path_relative_when_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = Problem(tmp_path / "a" / "course.yaml", 3, "fix it")
    monkeypatch.chdir(tmp_path)
    assert str(problem) == "a/course.yaml:3: fix it"
    monkeypatch.chdir(tmp_path / "..")
    assert str(problem) == f"{tmp_path.name}/a/course.yaml:3: fix it"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert str(problem) == f"{tmp_path / 'a' / 'course.yaml'}:3: fix it"
    monkeypatch.chdir(tmp_path)
    assert str(Problem(tmp_path / "a", 0, "no course.yaml")) == "a: no course.yaml"


# --- academy content check --------------------------------------------------------------------

runner = CliRunner()


def test_check_passes_the_sample_course() -> None:
    result = runner.invoke(content_app, ["check", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 1 course, 2 lessons × 3 languages checked\n"


def test_check_one_course_folder() -> None:
    result = runner.invoke(content_app, ["check", str(SAMPLE / "courses" / "sample")])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 1 course, 2 lessons × 3 languages checked\n"


def test_check_prints_each_problem_and_fails(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(content, FIRST, "minutes: 3", "minutes: 0")
    edit(content, FIRST, "    answer: 2", "    answer: 5")
    edit(content, COURSE, "id: sample", "id: samples")
    monkeypatch.chdir(content.parent)
    result = runner.invoke(content_app, ["check", "content"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/courses/sample/course.yaml:2: "
        "course id 'samples' differs from its folder 'sample': make them equal",
        "content/courses/sample/lessons/first-steps.en.md:4: "
        "'minutes' must be a whole number above 0 (the reading time)",
        "content/courses/sample/lessons/first-steps.en.md:14: "
        "quiz answer out of range: question 2 has 3 options, so 'answer' is 1 to 3, not 5",
        "3 problems in 2 files",
    ]


def test_check_is_reachable_as_academy_content_check(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    app.add_typer(content_app, name="content")
    course_file(content, "lessons/first-steps.zh.md").unlink()
    monkeypatch.chdir(content)
    result = runner.invoke(app, ["content", "check", "."])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "courses/sample/course.yaml:18: "
        "lesson 'first-steps' has no zh text: add lessons/first-steps.zh.md",
        "1 problem in 1 file",
    ]


def test_check_defaults_to_the_configured_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    result = runner.invoke(content_app, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 1 course, 12 lessons × 3 languages checked\n"


def test_check_a_missing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(content_app, ["check", "nowhere"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "nowhere: content folder not found: check the path",
        "1 problem in 1 file",
    ]


def test_an_impossible_date_is_a_problem_not_a_crash(content: Path) -> None:
    edit(content, FIRST, "minutes: 3\n", "minutes: 2026-13-01\n")
    _, problems = load_library(content)
    assert any("minutes" in str(problem) for problem in problems), problems


def test_check_warns_about_a_card_longer_than_a_phone_screen(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_es = "Así puede responder cualquier pregunta de sus compradores. " * 8
    edit(
        content,
        "lessons/first-steps.es.md",
        "Así puede responder cualquier pregunta de sus compradores.",
        long_es.strip(),
    )
    long_zh = "这样买家问什么，您都答得上来。" * 21  # 315 characters
    path = course_file(content, "lessons/first-steps.zh.md")
    lines = path.read_text(encoding="utf-8").split("\n")
    card = lines.index("---", 1) + 1  # the first card's first line
    end = lines.index("---", card)
    lines[card:end] = [long_zh, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(content.parent)
    result = runner.invoke(content_app, ["check", "content"])
    assert result.exit_code == 0, result.output  # a warning, not a problem
    assert result.output.splitlines() == [
        f"content/courses/sample/lessons/first-steps.zh.md:{card + 1}: warning: card is "
        f"{len(long_zh)} characters, more than one phone screen (about 300): split it or make "
        "it shorter",
        "content/courses/sample/lessons/first-steps.es.md:20: warning: card is 555 characters, "
        "more than one phone screen (about 450): split it or make it shorter",
        "OK: 1 course, 2 lessons × 3 languages checked (2 warnings)",
    ]
