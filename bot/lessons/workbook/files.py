"""Course files <-> CourseDraft, in one canonical form.

`course_files(draft)` writes the same bytes for the same draft: keys in the documented order,
YAML as PyYAML dumps it (Unicode kept, lines folded at 100 characters), a fixed comment at the
top of each YAML file, cards separated by a blank line and `---`. `read_course(folder)` reads a
course that the loader accepted. Export reads, import writes: export then import gives back the
files byte for byte when they are in this form (docs/content-format.md, "Workbook").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.lessons.lesson_file import IMAGE_LINE, SEPARATOR
from bot.lessons.templates import FILE_NAME as WHATSAPP_FILE
from bot.lessons.wechat_templates import FILE_NAME as WECHAT_FILE
from bot.lessons.workbook.draft import CardDraft, CourseDraft, LessonDraft, QuestionDraft
from bot.lessons.yaml_lines import Located, parse_yaml

COURSE_FILE = "course.yaml"
WIDTH = 100
COURSE_COMMENT = """\
# A course: its lessons are lessons/<slug>.<lang>.md; format: docs/content-format.md.
# pass_mark is the share of quiz answers a trainee must get right to pass a lesson.
"""
WHATSAPP_COMMENT = """\
# WhatsApp templates: what the bot sends instead of a scheduled message to someone who has not
# written for 23 hours (WhatsApp allows only approved templates then). Submit each one to Meta
# as a Utility template with exactly this name, language, body and quick-reply button
# (docs/whatsapp-templates.md); format: docs/content-format.md.
"""
WECHAT_COMMENT = """\
# WeChat template messages: what the service account sends instead of a scheduled message to
# someone outside their 48 hours (docs/wechat-templates.md); format: docs/content-format.md.
# Each value is cut to 20 characters; a fixed text is written {text: ...}. zh is required.
"""


def dump(value: Any) -> str:
    """`value` as canonical YAML."""
    return yaml.safe_dump(
        value, allow_unicode=True, sort_keys=False, width=WIDTH, default_flow_style=False
    )


def course_files(draft: CourseDraft) -> dict[str, bytes]:
    """Every file of the course, by path inside its folder, in canonical form."""
    course = {
        "id": draft.id,
        "languages": list(draft.languages),
        "pass_mark": draft.pass_mark,
        "title": draft.title,
        "summary": draft.summary,
        "welcome": draft.welcome,
        "lessons": list(draft.lessons),
    }
    files = {COURSE_FILE: COURSE_COMMENT + dump(course)}
    if draft.whatsapp is not None:
        files[WHATSAPP_FILE] = WHATSAPP_COMMENT + dump(draft.whatsapp)
    if draft.wechat is not None:
        files[WECHAT_FILE] = WECHAT_COMMENT + dump(draft.wechat)
    for (slug, language), lesson in sorted(draft.texts.items()):
        files[f"lessons/{slug}.{language}.md"] = lesson_text(lesson)
    return {path: text.encode("utf-8") for path, text in files.items()}


def lesson_text(lesson: LessonDraft) -> str:
    front: dict[str, Any] = {
        "title": lesson.title,
        "summary": lesson.summary,
        "minutes": lesson.minutes,
    }
    if lesson.image:
        front["image"] = lesson.image
    front["quiz"] = [_question(question) for question in lesson.quiz]
    cards = [_card(card) for card in lesson.cards]
    body = f"\n\n{SEPARATOR}\n".join(cards)
    return f"{SEPARATOR}\n{dump(front)}{SEPARATOR}\n{body}\n"


def _question(question: QuestionDraft) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "question": question.text,
        "options": list(question.options),
        "answer": question.answer,
    }
    if question.explanations is not None:
        entry["explanations"] = list(question.explanations)
    else:
        entry["explanation"] = question.explanation
    return entry


def _card(card: CardDraft) -> str:
    if card.image is None:
        return card.text
    image = f"![{card.image_text}]({card.image})"
    return f"{image}\n{card.text}" if card.text else image


def read_course(folder: Path) -> CourseDraft:
    """The draft of a course folder that the loader accepted (anything else may raise)."""
    course = _plain(_yaml(folder / COURSE_FILE))
    draft = CourseDraft(
        id=course["id"],
        languages=list(course["languages"]),
        pass_mark=float(course["pass_mark"]),
        title=dict(course["title"]),
        summary=dict(course["summary"]),
        welcome=dict(course["welcome"]),
        lessons=list(course["lessons"]),
    )
    for name, attribute in ((WHATSAPP_FILE, "whatsapp"), (WECHAT_FILE, "wechat")):
        if (folder / name).is_file():
            setattr(draft, attribute, _plain(_yaml(folder / name)))
    for slug in draft.lessons:
        for language in draft.languages:
            path = folder / "lessons" / f"{slug}.{language}.md"
            draft.texts[(slug, language)] = _read_lesson(path, slug, language)
    return draft


def _yaml(path: Path) -> Located:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    root = parse_yaml(text).root
    assert root is not None
    return root


def _plain(entry: Located) -> Any:
    """Plain values, numbers kept; text as written (`Yes` stays text, as the loader reads it)."""
    if isinstance(entry.value, dict):
        return {key: _plain(item) for key, item in entry.value.items()}
    if isinstance(entry.value, list):
        return [_plain(item) for item in entry.value]
    if isinstance(entry.value, (int, float)) and not isinstance(entry.value, bool):
        return entry.value
    text = entry.text()
    return text.strip() if isinstance(text, str) else text


def _read_lesson(path: Path, slug: str, language: str) -> LessonDraft:
    lines = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == SEPARATOR)
    root = parse_yaml("\n".join(lines[1:end])).root
    assert root is not None
    front = _plain(root)
    lesson = LessonDraft(
        slug=slug,
        language=language,
        title=front["title"],
        summary=front["summary"],
        minutes=int(front["minutes"]),
        image=front.get("image"),
    )
    for entry in front["quiz"]:
        lesson.quiz.append(
            QuestionDraft(
                text=entry["question"],
                options=list(entry["options"]),
                answer=int(entry["answer"]),
                explanation=entry.get("explanation"),
                explanations=entry.get("explanations"),
            )
        )
    chunks: list[list[str]] = [[]]
    for line in lines[end + 1 :]:
        if line.rstrip() == SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    for chunk in chunks:
        text = "\n".join(chunk).strip()
        first, _, rest = text.partition("\n")
        image = IMAGE_LINE.fullmatch(first.strip())
        if image is None:
            lesson.cards.append(CardDraft(text))
        else:
            lesson.cards.append(
                CardDraft(rest.strip(), image["file"].strip(), image["alt"].strip())
            )
    return lesson
