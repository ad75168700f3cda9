"""A course's whatsapp.yaml: the starter course has every template, a broken file is reported
with its line and field, and parameters are cut to Meta's limits."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.content import content_app
from bot.core.messages import DETAILS, Detail, Purpose, Topic
from bot.lessons.content import load_course
from bot.lessons.templates import BODY_LIMIT, LIMITS, SCHEDULED, one_line

SAMPLE = Path(__file__).parents[1] / "content" / "courses" / "sample"
STARTER = Path(__file__).parents[2] / "content" / "courses" / "sell-online"
DOCS = Path(__file__).parents[2] / "docs" / "whatsapp-templates.md"

GOOD = """\
reminder:
  name: academy_daily_reminder
  parameters: [name]
  languages:
    en:
      code: en
      body: Hello {{1}}, today's lesson is ready. Tap the button to start.
      button: ▶ Start
    es:
      code: es_MX
      body: Hola, {{1}}. Su lección de hoy está lista. Toque el botón para empezar.
      button: ▶ Empezar
lesson:
  name: academy_lesson_open
  parameters: [name, number, lesson]
  languages:
    en:
      code: en
      body: 'Hello {{1}}, lesson {{2}} is open: "{{3}}". Tap the button to start.'
      button: ▶ Start
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the sample course with a small whatsapp.yaml, free to break."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    (target / "whatsapp.yaml").write_text(GOOD, encoding="utf-8")
    return target


def problems(course: Path, old: str = "", new: str = "") -> list[str]:
    path = course / "whatsapp.yaml"
    text = path.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    loaded, found = load_course(course)
    assert (loaded is None) == bool(found)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in found]


def test_the_starter_course_has_every_template_in_every_language() -> None:
    course, found = load_course(STARTER)
    assert course is not None and not found
    assert course.templates.missing(course.languages) == []
    assert len(course.templates.templates) == len(SCHEDULED) * 3
    spanish = course.templates.find(Purpose.lesson, "es")
    assert spanish is not None
    assert (spanish.name, spanish.code, spanish.button) == (
        "academy_lesson_open",
        "es_MX",
        "▶ Empezar",
    )
    names = {t.purpose: t.name for t in course.templates.templates.values()}
    assert len(set(names.values())) == len(SCHEDULED)  # one template (name) per purpose


def test_the_docs_give_every_body_exactly_as_in_the_file() -> None:
    course, _ = load_course(STARTER)
    assert course is not None
    docs = DOCS.read_text(encoding="utf-8")
    for template in course.templates.templates.values():
        assert template.name in docs
        assert template.body in docs, (template.purpose, template.language)
        assert template.button in docs


def test_a_good_file_loads_and_missing_ones_are_warnings_not_problems(course: Path) -> None:
    loaded, found = load_course(course)
    assert loaded is not None and not found
    assert loaded.templates.find(Purpose.reminder, "es") is not None
    assert loaded.templates.find(Purpose.reminder, "zh") is None
    assert (Purpose.nudge, "en") in loaded.templates.missing(loaded.languages)


def test_a_course_without_the_file_has_no_templates_and_no_warnings() -> None:
    loaded, _ = load_course(SAMPLE)
    assert loaded is not None and loaded.templates.templates == {}
    result = CliRunner().invoke(content_app, ["check", str(SAMPLE)])
    assert result.output == "OK: 1 course, 2 lessons × 3 languages checked\n"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "reminder:",
            "reminders:",
            "whatsapp.yaml:1: unknown key 'reminders': did you mean 'reminder'?",
        ),
        (
            "  name: academy_daily_reminder",
            "  name: Academy Daily",
            "whatsapp.yaml:2: reminder: template name 'Academy Daily' must be lowercase "
            "letters, digits and underscores",
        ),
        (
            "  name: academy_daily_reminder\n",
            "",
            "whatsapp.yaml:1: reminder: missing 'name': the template's name in WhatsApp Manager",
        ),
        (
            "[name]",
            "[name, lesson]",
            "whatsapp.yaml:3: reminder: unknown parameter 'lesson': a reminder has name",
        ),
        (
            "      code: es_MX",
            "      code: en_US",
            "whatsapp.yaml:10: reminder in es: code 'en_US' is not Meta's code for es "
            "(e.g. es_MX, zh_CN, en)",
        ),
        (
            "Hola, {{1}}. Su",
            "Hola. Su",
            "whatsapp.yaml:11: reminder in es: body must hold {{1}} once each, one per parameter",
        ),
        (
            "      body: Hello {{1}}, today's lesson is ready. Tap the button to start.",
            "      body: Today's lesson is ready, {{1}}",
            "whatsapp.yaml:7: reminder in en: body may not start or end with a parameter "
            "(Meta refuses it)",
        ),
        (
            "      button: ▶ Empezar",
            "      button: ▶ Empezar la lección de hoy",
            "whatsapp.yaml:12: reminder in es: button is 27 characters; WhatsApp allows 25",
        ),
        (
            "      button: ▶ Empezar\n",
            "",
            "whatsapp.yaml:9: reminder in es: missing 'button': add it",
        ),
        (
            "    es:",
            "    pt:",
            "whatsapp.yaml:9: reminder in pt: unknown language: use zh, es, en",
        ),
        (
            "      code: en\n      body: Hello",
            "      code: en\n      title: x\n      body: Hello",
            "whatsapp.yaml:7: reminder in en: unknown key 'title': use code, body, button",
        ),
        (
            "  name: academy_lesson_open",
            "  name: academy_daily_reminder",
            "whatsapp.yaml:13: lesson: template 'academy_daily_reminder' is already reminder's",
        ),
        (
            "  parameters: [name]\n",
            "  parameters: name\n",
            "whatsapp.yaml:3: reminder: 'parameters' must be a list such as [name] (name)",
        ),
        (
            "reminder:\n  name",
            "reminder:\n  name: x\n  name",
            "whatsapp.yaml:3: 'name' is given twice (also on line 2)",
        ),
        (
            "      button: ▶ Empezar\nlesson:",
            "      button: ▶ Empezar\n  lesson:",
            "whatsapp.yaml:13: reminder: unknown key 'lesson': use name, parameters, languages",
        ),
        (
            "  parameters: [name]\n",
            "  parameters: [name\n",
            "whatsapp.yaml:4: YAML syntax error: expected ',' or ']', but got ':' (while parsing "
            "a flow sequence from line 3); check the indentation (spaces, not tabs) and quote "
            "text holding ': ' or ' #'",
        ),
    ],
)
def test_each_broken_rule_names_its_line_and_field(
    course: Path, old: str, new: str, expected: str
) -> None:
    assert expected in problems(course, old, new)


def test_a_body_that_could_outgrow_metas_limit_is_refused(course: Path) -> None:
    long = "Hola, {{1}}. " + "Toque el botón. " * 70
    found = problems(course, "Hola, {{1}}. Su lección de hoy está lista. ", long)
    (problem,) = found
    assert f"WhatsApp allows {BODY_LIMIT}" in problem and problem.startswith("whatsapp.yaml:11:")


def test_content_check_reports_the_file_and_warns_about_gaps(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(course.parent)
    result = CliRunner().invoke(content_app, ["check", "sample"])
    assert result.exit_code == 0, result.output
    warnings = result.output.splitlines()[:-1]
    assert (
        "sample/whatsapp.yaml: warning: no reminder template in zh: people reading zh who "
        "have not written for a day get the English one, or nothing" in warnings
    )
    assert len(warnings) == len(SCHEDULED) * 3 - 3  # only reminder (en, es) and lesson (en)
    problems(course, "[name]", "[name, lesson]")
    result = CliRunner().invoke(content_app, ["check", "sample"])
    assert result.exit_code == 1
    assert "sample/whatsapp.yaml:3: reminder: unknown parameter 'lesson'" in result.output


def test_parameters_are_one_line_cut_at_a_word_and_never_empty() -> None:
    course, _ = load_course(STARTER)
    assert course is not None
    template = course.templates.find(Purpose.announcement, "es")
    assert template is not None
    topic = Topic(
        (
            (Detail.name, "  Ana\tMaría  "),
            (Detail.first_line, "Mañana hay clase en vivo a las 8 " + "y traigan fotos " * 20),
        )
    )
    name, cohort, first = template.parameters_for(topic)
    assert name == "Ana María"
    assert cohort == "—"  # the class was not said: Meta refuses an empty parameter
    assert len(first) <= LIMITS[Detail.first_line] and first.endswith(" y…")
    assert "\n" not in first and "  " not in first
    assert template.parameters_for(None) == ("—", "—", "—")


def test_cutting() -> None:
    assert one_line("a\nb", 10) == "a b"
    assert one_line("word " * 10, 12) == "word word…"
    assert one_line("桃子" * 30, 11) == "桃子桃子桃子桃子桃子…"  # no spaces: cut between characters
    assert one_line("", 5) == "—"


def test_every_purpose_offers_the_details_its_topic_can_carry() -> None:
    assert set(DETAILS) == set(SCHEDULED)
    for details in DETAILS.values():
        assert Detail.name in details  # every template may greet the person
        assert all(detail in LIMITS for detail in details)
    assert re.fullmatch(r"[a-z_]+", Detail.cohort.value)
