"""`academy content translate`: drafts of the missing language from the LLM (the fake OpenAI
server), into a workbook with the drafted rows marked; nothing without an LLM or on a failure."""

from __future__ import annotations

import json
import re
import shutil
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from bot.lessons.translate import DRAFT_FILL, lesson_json
from bot.lessons.workbook import export_course, import_workbook, read_course
from tests.cli.conftest import served_in_thread
from tests.cli.test_main import academy
from tests.conftest import SAMPLE_CONTENT
from tests.fakes.openai_server import FakeOpenAI

SAMPLE = SAMPLE_CONTENT / "courses" / "sample"


def without_spanish(tmp_path: Path) -> Path:
    """A copy of the content whose sample course has no Spanish at all."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    course = content / "courses" / "sample"
    for lesson in course.glob("lessons/*.es.md"):
        lesson.unlink()
    text = (course / "course.yaml").read_text(encoding="utf-8")
    text = text.replace("[zh, es, en]", "[zh, en]")
    text = re.sub(r"\n  es: [^\n]*", "", text)
    (course / "course.yaml").write_text(text, encoding="utf-8")
    return content


def spanish_answers() -> list[str]:
    """What a good model answers: the sample's own Spanish, in the shape it was asked."""
    draft = read_course(SAMPLE)
    fields = {name: getattr(draft, name)["es"] for name in ("title", "summary", "welcome")}
    lessons = [lesson_json(draft.texts[(slug, "es")]) for slug in draft.lessons]
    return [json.dumps(value, ensure_ascii=False) for value in (fields, *lessons)]


def llm_env(fake: FakeOpenAI, content: Path) -> dict[str, str]:
    return {"CONTENT_DIR": str(content), "LLM_BASE_URL": fake.base_url, "LLM_API_KEY": "k"}


def test_the_missing_language_is_drafted_into_a_marked_workbook(tmp_path: Path) -> None:
    content = without_spanish(tmp_path)
    with served_in_thread(FakeOpenAI(api_key="k")) as fake:
        for answer in spanish_answers():
            fake.reply(f"```json\n{answer}\n```" if "first" in answer else answer)
        done = academy(
            tmp_path, "content", "translate", "sample", "--to", "es", **llm_env(fake, content)
        )
        asked = fake.chat_requests
    assert done.returncode == 0, done.stderr
    assert "sample.es-draft.xlsx" in done.stdout and "2 lessons" in done.stdout
    assert len(asked) == 3 and "Mexican Spanish" in asked[0]["messages"][0]["content"]
    data = (tmp_path / "sample.es-draft.xlsx").read_bytes()

    # The drafts are marked; the rows that were there are not.
    book = load_workbook(BytesIO(data))
    cards = book["Cards"]
    filled = {
        row[2].value: row[0].fill.start_color.rgb == DRAFT_FILL.start_color.rgb
        for row in cards.iter_rows(min_row=2)
    }
    assert filled == {"zh": False, "en": False, "es": True}

    # Imported (after review), the drafts are the course's Spanish lessons.
    result = import_workbook(data, "en", media=["peach.png"])
    original = import_workbook(export_course(SAMPLE, "en"), "en", media=["peach.png"])
    assert result.ok, result.errors
    for name in ("lessons/first-steps.es.md", "lessons/good-photos.es.md"):
        assert result.files[name] == original.files[name]
    assert not (content / "courses" / "sample" / "lessons" / "first-steps.es.md").exists()


def test_without_an_llm_nothing_is_done(tmp_path: Path) -> None:
    content = without_spanish(tmp_path)
    refused = academy(
        tmp_path, "content", "translate", "sample", "--to", "es", CONTENT_DIR=str(content)
    )
    assert refused.returncode == 1
    assert "No LLM is configured" in refused.stderr and "Traceback" not in refused.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


def test_a_failing_or_confused_model_writes_nothing(tmp_path: Path) -> None:
    content = without_spanish(tmp_path)
    answers = spanish_answers()
    with served_in_thread(FakeOpenAI(api_key="k")) as fake:
        fake.reply(answers[0])
        fake.fail_next(500, times=2)  # the second call, and its one retry
        failed = academy(
            tmp_path, "content", "translate", "sample", "--to", "es", **llm_env(fake, content)
        )
        fake.reply(answers[0])
        fake.reply(json.dumps({"title": "Solo el título"}))
        confused = academy(
            tmp_path, "content", "translate", "sample", "--to", "es", **llm_env(fake, content)
        )
    for result in (failed, confused):
        assert result.returncode == 1 and "nothing was written" in result.stderr
        assert "Traceback" not in result.stderr
    assert "not shaped like" in confused.stderr
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".part")] == []


def test_a_course_lacking_nothing_gets_no_workbook(tmp_path: Path) -> None:
    with served_in_thread(FakeOpenAI()) as fake:
        done = academy(
            tmp_path, "content", "translate", "sample", "--to", "es", LLM_BASE_URL=fake.base_url
        )
        assert fake.chat_requests == []
    assert done.returncode == 0 and "lacks nothing" in done.stdout
    assert list(tmp_path.glob("*.xlsx")) == []
