"""A course's wechat.yaml: the starter course has a Chinese template for every scheduled
message, a broken file is reported with its line and field by `academy content check`, and
every value sent fits WeChat's 20 characters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.content import content_app
from bot.core.messages import Purpose
from bot.lessons.content import load_course
from bot.lessons.templates import SCHEDULED
from bot.lessons.wechat_templates import FIELD_LIMIT, TIME, WeChatField, WeChatTemplate

SAMPLE = Path(__file__).parents[1] / "content" / "courses" / "sample"
STARTER = Path(__file__).parents[2] / "content" / "courses" / "sell-online"
DOCS = Path(__file__).parents[2] / "docs" / "wechat-templates.md"

GOOD = """\
reminder:
  zh:
    template_id: Tm9V3sZ-reminder_0001
    fields:
      thing1: lesson
      thing2: {text: 今天的小课准备好了}
      time3: time
  es:
    template_id: Tm9V3sZ-reminder_0001
    fields:
      thing1: lesson
      thing2: {text: Su lección de hoy}
      time3: time
announcement:
  zh:
    template_id: Tm9V3sZ-announce_0002
    fields:
      thing1: first_line
      thing2: class
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the sample course with a small wechat.yaml, free to break."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    (target / "wechat.yaml").write_text(GOOD, encoding="utf-8")
    return target


def problems(course: Path, old: str = "", new: str = "") -> list[str]:
    path = course / "wechat.yaml"
    text = path.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    loaded, found = load_course(course)
    assert (loaded is None) == bool(found)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in found]


def test_the_starter_course_has_a_chinese_template_for_every_scheduled_message() -> None:
    course, found = load_course(STARTER)
    assert course is not None and not found
    assert course.wechat_templates.missing(("zh",)) == []
    reminder = course.wechat_templates.find(Purpose.reminder, "zh")
    assert reminder is not None
    assert [(f.key, f.source) for f in reminder.fields] == [
        ("thing1", "lesson"),
        ("thing2", None),
        ("time3", TIME),
    ]
    for template in course.wechat_templates.templates.values():
        assert all(f.source is not None or len(f.text) <= FIELD_LIMIT for f in template.fields)
        assert {f.key for f in template.fields}.isdisjoint({"first", "remark"})


def test_the_docs_name_every_purpose() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert all(f"`{purpose}`" in docs for purpose in SCHEDULED)


def test_a_good_file_loads_and_a_missing_purpose_is_a_warning(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert problems(course) == []
    monkeypatch.chdir(course.parent)
    result = CliRunner().invoke(content_app, ["check", "sample"])
    assert result.exit_code == 0, result.output
    warnings = result.output.splitlines()[:-1]
    assert (
        "sample/wechat.yaml: warning: no WeChat nudge template: people outside their 48 hours "
        "on WeChat do not get it" in warnings
    )
    assert len(warnings) == len(SCHEDULED) - 2


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "reminder:\n  zh:",
            "reminder:\n  zh: [",
            "wechat.yaml:4: YAML syntax error:",
        ),
        (
            "      thing2: {text: 今天的小课准备好了}",
            "      thing2: {text: 今天的小课准备好了，只要几分钟就能学完一节}",
            "wechat.yaml:6: reminder in zh: field 'thing2': the text is 21 characters; WeChat "
            "takes 20",
        ),
        (
            "      thing2: class",
            "      thing2: lesson",
            "wechat.yaml:19: announcement in zh: field 'thing2': unknown detail 'lesson': this "
            "purpose has name, class, first_line, time; a fixed text is written {text: ...}",
        ),
        (
            "announcement:\n  zh:",
            "announcement:\n  en:",
            "wechat.yaml:14: announcement: missing 'zh': the Chinese template is required",
        ),
        (
            "      thing1: first_line",
            "      first: first_line",
            "wechat.yaml:18: announcement in zh: field 'first': WeChat dropped 'first' and "
            "'remark' in 2023: delete it",
        ),
        (
            "    template_id: Tm9V3sZ-announce_0002",
            "    template_id: 公众号的模板",
            "wechat.yaml:16: announcement in zh: template_id '公众号的模板' is not one WeChat "
            "gives",
        ),
        (
            "    template_id: Tm9V3sZ-announce_0002\n",
            "",
            "wechat.yaml:15: announcement in zh: missing 'template_id'",
        ),
        (
            "reminder:",
            "remainder:",
            "wechat.yaml:1: unknown key 'remainder': did you mean 'reminder'?",
        ),
        (
            "  es:",
            "  fr:",
            "wechat.yaml:8: reminder in fr: unknown language: use zh, es, en",
        ),
    ],
)
def test_each_broken_rule_names_its_line_and_field(
    course: Path, old: str, new: str, expected: str
) -> None:
    found = problems(course, old, new)
    assert any(problem.startswith(expected) for problem in found), found


def test_content_check_fails_on_a_broken_file(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems(course, "      time3: time\n  es:", "      time3: when\n  es:")
    monkeypatch.chdir(course.parent)
    result = CliRunner().invoke(content_app, ["check", "sample"])
    assert result.exit_code == 1
    assert "sample/wechat.yaml:7: reminder in zh: field 'time3': unknown detail 'when'" in (
        result.output
    )


def test_values_are_one_line_cut_to_twenty_characters_and_never_empty() -> None:
    template = WeChatTemplate(
        Purpose.announcement,
        "zh",
        "Tm9V3sZ-announce_0002",
        (
            WeChatField("thing1", "first_line"),
            WeChatField("thing2", "class"),
            WeChatField("thing3", None, "固定的话"),
        ),
    )
    data = template.data_for({"first_line": "今晚八点直播课，请大家带一张自己产品的照片来\n谢谢"})
    assert data == {
        "thing1": "今晚八点直播课，请大家带一张自己产品的…",
        "thing2": "—",
        "thing3": "固定的话",
    }
    assert all(len(value) <= FIELD_LIMIT for value in data.values())
