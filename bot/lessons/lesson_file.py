"""One lesson file, `lessons/<slug>.<lang>.md`: YAML front matter between `---` lines, then cards.

Every check reports through a `complain(line, message)` callback and parsing goes on, so a
lecturer sees all of a file's problems in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.lessons.model import Card, Lesson, QuizQuestion
from bot.lessons.yaml_lines import (
    Complain,
    Located,
    YamlSyntaxError,
    entry_text,
    parse_yaml,
    read_text,
    unknown_keys,
    whole_number,
)

FRONT_MATTER_KEYS = ("title", "summary", "minutes", "image", "quiz")
QUESTION_KEYS = ("question", "options", "answer", "explanation", "explanations")
SEPARATOR = "---"
CARD_LIMIT = 700  # one phone screen
CAPTION_LIMIT = 1000  # Telegram refuses photo captions over 1,024 characters
MIN_OPTIONS, MAX_OPTIONS = 2, 4
IMAGE_LINE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<file>[^()]*)\)")


def parse_lesson(
    text: str,
    *,
    slug: str,
    language: str,
    source: Path,
    media_dir: Path,
    complain: Complain,
) -> Lesson | None:
    """The lesson in `text`, or None when `complain` was called at least once."""
    found: list[tuple[int, str]] = []

    def note(line: int, message: str) -> None:
        found.append((line, message))
        complain(line, message)

    lines = text.split("\n")
    if lines[0].rstrip() != SEPARATOR:
        note(1, "no front matter: start the file with a '---' line, then title:, summary:, ...")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == SEPARATOR), None)
    if end is None:
        note(1, "front matter is not closed: add a '---' line after the quiz")
        return None
    front = _front_matter("\n".join(lines[1:end]), media_dir, note)
    cards = _cards(lines, end, media_dir, note)
    if found or front is None or cards is None:
        return None
    return Lesson(
        slug=slug,
        language=language,
        title=front.title,
        summary=front.summary,
        minutes=front.minutes,
        cards=tuple(cards),
        quiz=tuple(front.quiz),
        image=front.image,
        source=source,
    )


def resolve_image(name: str, media_dir: Path) -> tuple[Path | None, str | None]:
    """(the image's absolute path, None) or (None, what is wrong) for a file name from media/."""
    candidate = Path(name)
    outside = f"image '{name}' must be a file in media/: remove '..' and any leading '/'"
    if candidate.is_absolute() or ".." in candidate.parts:
        return None, outside
    path = (media_dir / candidate).resolve()
    if not path.is_relative_to(media_dir.resolve()):  # a symlink pointing elsewhere
        return None, outside
    if not path.is_file():
        return None, f"unknown image '{name}': add it to media/ or fix the name"
    return path, None


@dataclass
class _FrontMatter:
    title: str
    summary: str
    minutes: int
    image: Path | None
    quiz: list[QuizQuestion] = field(default_factory=list)


def _front_matter(text: str, media_dir: Path, complain: Complain) -> _FrontMatter | None:
    try:
        parsed = parse_yaml(text, first_line=2)
    except YamlSyntaxError as error:
        complain(error.line, error.message)
        return None
    for line, message in parsed.duplicates:
        complain(line, message)
    root = parsed.root
    if root is None or not isinstance(root.value, dict):
        line = root.line if root is not None else 1
        complain(line, "front matter must be keys and values: title:, summary:, minutes:, quiz:")
        return None
    entries: dict[str, Located] = root.value
    unknown_keys(entries, FRONT_MATTER_KEYS, complain)
    title = read_text(entries, "title", 1, complain)
    summary = read_text(entries, "summary", 1, complain)
    minutes = _minutes(entries.get("minutes"), complain)
    image = _cover(entries.get("image"), media_dir, complain)
    quiz = _quiz(entries.get("quiz"), complain)
    if title is None or summary is None or minutes is None or quiz is None:
        return None
    return _FrontMatter(title, summary, minutes, image, quiz)


def _minutes(entry: Located | None, complain: Complain) -> int | None:
    if entry is None:
        complain(1, "missing 'minutes': add the reading time, e.g. 'minutes: 5'")
        return None
    minutes = whole_number(entry)
    if minutes is None or minutes < 1:
        complain(entry.line, "'minutes' must be a whole number above 0 (the reading time)")
        return None
    return minutes


def _cover(entry: Located | None, media_dir: Path, complain: Complain) -> Path | None:
    if entry is None:
        return None
    name = entry_text(entry, "'image'", complain)
    if name is None:
        return None
    path, error = resolve_image(name, media_dir)
    if error:
        complain(entry.line, error)
    return path


def _quiz(entry: Located | None, complain: Complain) -> list[QuizQuestion] | None:
    if entry is None:
        complain(1, "missing 'quiz': add at least one question")
        return None
    if not isinstance(entry.value, list) or not entry.value:
        complain(entry.line, "'quiz' must be a list of at least one question ('- question: ...')")
        return None
    questions = [_question(number, item, complain) for number, item in enumerate(entry.value, 1)]
    return [q for q in questions if q is not None] if all(questions) else None


def _question(number: int, item: Located, complain: Complain) -> QuizQuestion | None:
    where = f"question {number}: "
    if not isinstance(item.value, dict):
        complain(item.line, f"{where}give question:, options:, answer: and explanation:")
        return None
    entries: dict[str, Located] = item.value
    unknown_keys(entries, QUESTION_KEYS, complain, where)
    text = read_text(entries, "question", item.line, complain, where)
    options_entry = entries.get("options")
    options = _options(options_entry, item.line, where, complain)
    # the answer and explanations are checked against the options as written, even wrong ones
    count = len(options_entry.value) if options_entry and options_entry.is_list else None
    answer = _answer(entries.get("answer"), item.line, number, count, where, complain)
    explanations = _explanations(entries, item.line, count, where, complain)
    if text is None or options is None or answer is None or explanations is None:
        return None
    return QuizQuestion(text, tuple(options), answer - 1, tuple(explanations))


def _options(
    entry: Located | None, missing_line: int, where: str, complain: Complain
) -> list[str] | None:
    if entry is None:
        complain(missing_line, f"{where}missing 'options': list 2 to 4 choices")
        return None
    if not isinstance(entry.value, list):
        complain(entry.line, f"{where}'options' must be a list of 2 to 4 choices")
        return None
    items: list[Located] = entry.value
    texts = [entry_text(item, f"option {n}", complain, where) for n, item in enumerate(items, 1)]
    if not MIN_OPTIONS <= len(items) <= MAX_OPTIONS:
        complain(entry.line, f"{where}give 2 to 4 options, not {len(items)}")
        return None
    return [t for t in texts if t is not None] if all(texts) else None


def _answer(
    entry: Located | None,
    missing_line: int,
    number: int,
    count: int | None,
    where: str,
    complain: Complain,
) -> int | None:
    if entry is None:
        complain(missing_line, f"{where}missing 'answer': the number of the right option, from 1")
        return None
    answer = whole_number(entry)
    if answer is None:
        complain(entry.line, f"{where}'answer' must be the number of the right option, from 1")
        return None
    if count is not None and not 1 <= answer <= count:
        complain(
            entry.line,
            f"quiz answer out of range: question {number} has {count} options, "
            f"so 'answer' is 1 to {count}, not {answer}",
        )
        return None
    return answer


def _explanations(
    entries: dict[str, Located],
    missing_line: int,
    count: int | None,
    where: str,
    complain: Complain,
) -> list[str] | None:
    single, several = entries.get("explanation"), entries.get("explanations")
    if single is not None and several is not None:
        complain(several.line, f"{where}give 'explanation' or 'explanations', not both")
        return None
    if single is not None:
        text = entry_text(single, "'explanation'", complain, where)
        return None if text is None or count is None else [text] * count
    if several is None:
        complain(missing_line, f"{where}missing 'explanation' (or 'explanations', one per option)")
        return None
    if not isinstance(several.value, list):
        complain(several.line, f"{where}'explanations' must be a list, one per option")
        return None
    items: list[Located] = several.value
    texts = [
        entry_text(item, f"explanation {n}", complain, where) for n, item in enumerate(items, 1)
    ]
    if count is not None and len(items) != count:
        complain(
            several.line,
            f"{where}{len(items)} explanations for {count} options: give one per option",
        )
        return None
    return [t for t in texts if t is not None] if all(texts) and count is not None else None


@dataclass
class _Chunk:
    """The lines between two separators; `opener`/`closer` are the separators' line numbers."""

    opener: int
    closer: int | None = None
    lines: list[tuple[int, str]] = field(default_factory=list)

    def content(self) -> list[tuple[int, str]]:
        """The lines from the first to the last one holding text."""
        filled = [i for i, (_, text) in enumerate(self.lines) if text.strip()]
        return self.lines[filled[0] : filled[-1] + 1] if filled else []


def _cards(lines: list[str], end: int, media_dir: Path, complain: Complain) -> list[Card] | None:
    """The body's cards; `end` is the index of the line closing the front matter."""
    chunks = [_Chunk(opener=end + 1)]
    for index in range(end + 1, len(lines)):
        if lines[index].rstrip() == SEPARATOR:
            chunks[-1].closer = index + 1
            chunks.append(_Chunk(opener=index + 1))
        else:
            chunks[-1].lines.append((index + 1, lines[index]))
    if not any(chunk.content() for chunk in chunks):
        complain(end + 1, "no cards: write the lesson's text after the front matter")
        return None
    cards = [_card(chunk, media_dir, complain) for chunk in chunks]
    return [card for card in cards if card is not None] if all(cards) else None


def _card(chunk: _Chunk, media_dir: Path, complain: Complain) -> Card | None:
    content = chunk.content()
    if not content:
        if chunk.closer is not None:
            complain(chunk.closer, "empty card: remove this '---' line or write text above it")
        else:
            complain(chunk.opener, "empty card at the end: remove this last '---' line")
        return None
    line = content[0][0]
    image_line = IMAGE_LINE.fullmatch(content[0][1].strip())
    if image_line is None:
        text = "\n".join(text for _, text in content).strip()
        if len(text) > CARD_LIMIT:
            complain(
                line,
                f"card is {len(text)} characters long, over {CARD_LIMIT}: "
                "shorten it or split it with a '---' line",
            )
            return None
        return Card(text, None, line)
    caption = "\n".join(text for _, text in content[1:]).strip()
    image, error = resolve_image(image_line["file"].strip(), media_dir)
    if error:
        complain(line, error)
    if len(caption) > CAPTION_LIMIT:
        complain(
            line,
            f"image caption is {len(caption)} characters long, over {CAPTION_LIMIT}: "
            "shorten it or move text to a card of its own",
        )
        return None
    return Card(caption, image, line) if image is not None else None
