"""A course's WeChat template messages (`wechat.yaml` beside `course.yaml`): what a WeChat service
account sends in place of a scheduled message to someone outside their 48-hour window (or whose 5
messages are spent).

Per scheduled purpose (`bot.core.messages.Purpose` but `answer`) and per language (zh required
for every purpose the file names; es and en may be left out: the Chinese one goes then): the
template's id (what the deployer got in 公众号后台 › 模板消息, education category) and its fields,
each a key of the template (thing1, time2, ...) and what fills it: a detail of the message
(`Detail`: the person's name, the lesson's title, ...; `time`: when it is sent, in their zone) or
a fixed text. Since 2023 WeChat takes at most 20 characters a field and no first line or remark;
every value is cut to that. The format is in docs/content-format.md; what to register in
docs/wechat-templates.md.

Interface:
- `load_wechat_templates(path, languages, complain) -> CourseWeChatTemplates`
  (`bot.lessons.content` calls it when the file exists; every problem is reported with its line).
- `CourseWeChatTemplates.find(purpose, language)`, `missing(languages)`.
- `WeChatTemplate.data_for(values) -> dict[str, str]`: the template's `data`, each value on one
  line and cut to 20 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import LANGUAGES
from bot.core.messages import DETAILS, Detail, Purpose
from bot.lessons.templates import SCHEDULED, TemplateBook, one_line, read_purposes
from bot.lessons.yaml_lines import (
    Complain,
    Located,
    entry_text,
    unknown_keys,
)

FILE_NAME = "wechat.yaml"
REQUIRED_LANGUAGE = "zh"
LANGUAGE_KEYS = ("template_id", "fields")
FIELD_LIMIT = 20  # characters of one field's value (WeChat, since May 2023)
TIME = "time"  # a source that is not a Detail: when the message goes, in the person's zone
# A template id from 公众号后台 (43 characters of letters, digits, - and _ today).
TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
# A field's key as WeChat names it: thing1, time2, character_string3, phrase4 ...
FIELD_KEY = re.compile(r"[a-z][a-z_]*[0-9]+")
RETIRED_KEYS = frozenset({"first", "remark"})  # gone from template messages since May 2023
# Purposes whose tap opens the person's next lesson: the transport fills its title and number.
OPENS_NEXT_LESSON = frozenset({Purpose.reminder, Purpose.nudge})


def sources_of(purpose: Purpose) -> tuple[str, ...]:
    """What may fill a field of a `purpose` template: its details, the next lesson's title and
    number for a reminder or nudge, and the time."""
    details = list(DETAILS[purpose])
    if purpose in OPENS_NEXT_LESSON:
        details += [Detail.lesson, Detail.number]
    return (*(detail.value for detail in details), TIME)


@dataclass(frozen=True)
class WeChatField:
    """One field of a template: its key and what fills it, a source (`Detail` value or `TIME`)
    or, when `source` is None, the fixed `text`."""

    key: str
    source: str | None
    text: str = ""


@dataclass(frozen=True)
class WeChatTemplate:
    """One registered template for a purpose in one language."""

    purpose: Purpose
    language: str
    template_id: str
    fields: tuple[WeChatField, ...]

    def data_for(self, values: Mapping[str, str]) -> dict[str, str]:
        """The template's data: each field's source looked up in `values` (a fixed text as it
        is), on one line and cut to WeChat's 20 characters, never empty."""
        return {
            item.key: one_line(
                item.text if item.source is None else values.get(item.source, ""), FIELD_LIMIT
            )
            for item in self.fields
        }


CourseWeChatTemplates = TemplateBook[WeChatTemplate]


def load_wechat_templates(
    path: Path, languages: tuple[str, ...], complain: Complain
) -> CourseWeChatTemplates:
    """Read and check `path` (a course's wechat.yaml) for a course in `languages`; every problem
    goes to `complain(line, message)`."""
    entries = read_purposes(path, complain)
    if entries is None:
        return CourseWeChatTemplates(source=path)
    found: dict[tuple[Purpose, str], WeChatTemplate] = {}
    for purpose in SCHEDULED:
        entry = entries.get(purpose.value)
        if entry is not None:
            for template in _read_purpose(purpose, entry, languages, complain):
                found[(purpose, template.language)] = template
    return CourseWeChatTemplates(found, path)


def _read_purpose(
    purpose: Purpose, entry: Located, languages: tuple[str, ...], complain: Complain
) -> list[WeChatTemplate]:
    where = f"{purpose}: "
    if not isinstance(entry.value, dict) or not entry.value:
        complain(entry.line, f"{where}give one entry per language (zh:, es:, en:)")
        return []
    by_language: dict[str, Located] = entry.value
    if REQUIRED_LANGUAGE not in by_language:
        complain(
            entry.line,
            f"{where}missing 'zh': the Chinese template is required (the other languages fall "
            "back to it)",
        )
    templates = []
    for language, item in by_language.items():
        at = f"{purpose} in {language}: "
        if language not in LANGUAGES:
            complain(item.line, f"{at}unknown language: use {', '.join(LANGUAGES)}")
            continue
        if languages and language not in languages:
            complain(item.line, f"{at}the course is not in this language: delete it")
            continue
        template = _read_language(purpose, language, item, at, complain)
        if template is not None:
            templates.append(template)
    return templates


def _read_language(
    purpose: Purpose, language: str, item: Located, where: str, complain: Complain
) -> WeChatTemplate | None:
    if not isinstance(item.value, dict):
        complain(item.line, f"{where}must have template_id: and fields:")
        return None
    entries: dict[str, Located] = item.value
    unknown_keys(entries, LANGUAGE_KEYS, complain, where)
    template_id = _template_id(entries.get("template_id"), item.line, where, complain)
    fields = _fields(purpose, entries.get("fields"), item.line, where, complain)
    if template_id is None or fields is None:
        return None
    return WeChatTemplate(purpose, language, template_id, fields)


def _template_id(entry: Located | None, line: int, where: str, complain: Complain) -> str | None:
    if entry is None:
        complain(line, f"{where}missing 'template_id': the id from 公众号后台 › 模板消息")
        return None
    template_id = entry_text(entry, "'template_id'", complain, where)
    if template_id is not None and not TEMPLATE_ID.fullmatch(template_id):
        complain(
            entry.line,
            f"{where}template_id '{template_id}' is not one WeChat gives: copy it from "
            "公众号后台 › 模板消息 (letters, digits, - and _)",
        )
        return None
    return template_id


def _fields(
    purpose: Purpose, entry: Located | None, line: int, where: str, complain: Complain
) -> tuple[WeChatField, ...] | None:
    sources = sources_of(purpose)
    choices = ", ".join(sources)
    if entry is None:
        complain(line, f"{where}missing 'fields': each key of the template and what fills it")
        return None
    if not isinstance(entry.value, dict) or not entry.value:
        complain(entry.line, f"{where}'fields' must map each key (thing1: lesson, ...)")
        return None
    found: list[WeChatField] = []
    ok = True
    for key, value in entry.value.items():
        read = _field(key, value, sources, f"{where}field '{key}': ", choices, complain)
        ok = ok and read is not None
        if read is not None:
            found.append(read)
    return tuple(found) if ok else None


def _field(
    key: str,
    value: Located,
    sources: tuple[str, ...],
    where: str,
    choices: str,
    complain: Complain,
) -> WeChatField | None:
    if key in RETIRED_KEYS:
        complain(value.line, f"{where}WeChat dropped 'first' and 'remark' in 2023: delete it")
        return None
    if not FIELD_KEY.fullmatch(key):
        complain(value.line, f"{where}not a WeChat field key (thing1, time2, phrase3, ...)")
        return None
    if isinstance(value.value, dict):
        unknown_keys(value.value, ("text",), complain, where)
        fixed = value.value.get("text")
        if fixed is None:
            complain(value.line, f"{where}a fixed text is written {{text: ...}}")
            return None
        text = entry_text(fixed, "'text'", complain, where)
        if text is None:
            return None
        if len(text) > FIELD_LIMIT:
            complain(
                fixed.line,
                f"{where}the text is {len(text)} characters; WeChat takes {FIELD_LIMIT}",
            )
            return None
        return WeChatField(key, None, text)
    source = value.text()
    if source not in sources:
        complain(
            value.line,
            f"{where}unknown detail '{source}': this purpose has {choices}; a fixed text is "
            "written {text: ...}",
        )
        return None
    return WeChatField(key, source)
