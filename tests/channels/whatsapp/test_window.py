"""The 24-hour window, decided for one message at a time with the two ways out as callables
that record what they were given and answer as the Cloud API would (a wamid, or its error)."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.window import (
    WINDOW,
    TemplateMessage,
    send_in_window,
    template_params,
    window_open,
)
from bot.core.messages import Attachment, Button, Detail, Purpose, Reply, Topic
from bot.db.models import Person
from bot.lessons.content import load_course
from bot.lessons.templates import CourseTemplates
from bot.scheduling.transport import Outcome, Result
from tests.core.channel_capabilities import WHATSAPP_LIKE

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
STARTER = Path(__file__).parents[3] / "content" / "courses" / "sell-online"


@functools.cache
def starter_templates() -> CourseTemplates:
    course, problems = load_course(STARTER)
    assert course is not None, problems
    return course.templates


def graph_error(code: int, status: int = 400) -> WhatsAppError:
    request = httpx.Request("POST", "https://graph.example/v23.0/1234567/messages")
    return WhatsAppError.from_dict(
        {"code": code, "message": f"error {code}"}, response=httpx.Response(status, request=request)
    )


class Cloud:
    """The two ways out: free-form messages and templates. Each call gets the next scripted
    answer (an exception is raised), else a new wamid."""

    def __init__(self, *script: Exception | None) -> None:
        self.script = list(script)
        self.free: list[Reply] = []
        self.templates: list[TemplateMessage] = []
        self.count = 0

    def _answer(self) -> str:
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            raise scripted
        self.count += 1
        return f"wamid.{self.count}"

    async def send_free(self, person: Person, reply: Reply) -> list[str]:
        wamid = self._answer()
        self.free.append(reply)
        return [wamid]

    async def send_template(self, person: Person, message: TemplateMessage) -> str:
        wamid = self._answer()
        self.templates.append(message)
        return wamid

    async def send(
        self, person: Person, reply: Reply, templates: CourseTemplates | None = None
    ) -> Outcome:
        return await send_in_window(
            person,
            reply,
            NOW,
            templates=starter_templates() if templates is None else templates,
            capabilities=WHATSAPP_LIKE,
            send_free=self.send_free,
            send_template=self.send_template,
        )


def trainee(*, wrote: timedelta, language: str = "es") -> Person:
    return Person(
        id=7,
        channel="whatsapp",
        channel_user_id="MX.123",
        display_name="Ana",
        language=language,
        last_seen_at=NOW - wrote,
    )


LESSON = Reply(
    "📚 Grupo Duraznos\nYa puede leer la lección 2: Fotos que venden",
    buttons=((Button("▶ Lección", "les:go"),),),
    purpose=Purpose.lesson,
    topic=Topic(
        (
            (Detail.name, "Ana"),
            (Detail.number, "2"),
            (Detail.lesson, "Fotos que venden"),
            (Detail.cohort, "Duraznos"),
        ),
        opens="les:go",
    ),
)
ANNOUNCEMENT = Reply(
    "📣 Li Na · Grupo Duraznos\nClase en vivo hoy a las 8\nTraigan una foto de su producto",
    image=Attachment("announcement.jpg", ref="media-1"),
    purpose=Purpose.announcement,
    topic=Topic(
        (
            (Detail.name, "Ana"),
            (Detail.cohort, "Duraznos"),
            (Detail.first_line, "Clase en vivo hoy a las 8"),
        ),
        opens="msg:41",
    ),
)


async def test_within_the_window_a_scheduled_message_goes_as_it_is() -> None:
    cloud = Cloud()
    outcome = await cloud.send(trainee(wrote=timedelta(hours=2)), LESSON)
    assert outcome == Outcome(Result.sent, message_refs=("wamid.1",))
    (sent,) = cloud.free
    assert sent.text == LESSON.text and sent.buttons == LESSON.buttons
    assert cloud.templates == []


async def test_after_23_hours_of_silence_the_template_goes_in_their_language() -> None:
    cloud = Cloud()
    outcome = await cloud.send(trainee(wrote=timedelta(days=3)), LESSON)
    assert outcome == Outcome(Result.sent, message_refs=("wamid.1",))
    assert cloud.free == []
    assert cloud.templates == [
        TemplateMessage(
            Purpose.lesson,
            "academy_lesson_open",
            "es_MX",
            ("Ana", "2", "Fotos que venden"),
            "les:go",
        )
    ]


def test_the_window_closes_at_23_hours() -> None:
    assert window_open(trainee(wrote=WINDOW - timedelta(seconds=1)), NOW)
    assert not window_open(trainee(wrote=WINDOW), NOW)


async def test_an_answer_always_goes_as_it_is() -> None:
    cloud = Cloud()
    answer = Reply("Use la luz de la ventana.")
    outcome = await cloud.send(trainee(wrote=timedelta(days=3)), answer)
    assert outcome.result is Result.sent
    assert [r.text for r in cloud.free] == [answer.text] and cloud.templates == []


async def test_one_announcement_outside_the_window_is_one_template_not_one_per_piece() -> None:
    long = replace(ANNOUNCEMENT, text=ANNOUNCEMENT.text + "\n" + "Muy importante. " * 80)
    inside = Cloud()
    await inside.send(trainee(wrote=timedelta(hours=1)), long)
    assert len(inside.free) == 2  # the photo, then the text too long for a caption
    outside = Cloud()
    outcome = await outside.send(trainee(wrote=timedelta(days=2)), long)
    assert outcome.message_refs == ("wamid.1",)
    (template,) = outside.templates
    assert template.name == "academy_class_message"
    assert template.parameters == ("Ana", "Duraznos", "Clase en vivo hoy a las 8")
    assert template.button_payload == "msg:41"  # the tap shows the whole announcement


async def test_window_closed_by_metas_clock_falls_back_to_the_template() -> None:
    cloud = Cloud(graph_error(131047))
    outcome = await cloud.send(trainee(wrote=timedelta(hours=22)), LESSON)
    assert outcome == Outcome(Result.sent, message_refs=("wamid.1",))
    assert cloud.free == [] and [t.name for t in cloud.templates] == ["academy_lesson_open"]


async def test_window_closing_between_two_pieces_sends_the_template_after_the_first() -> None:
    long = replace(ANNOUNCEMENT, text=ANNOUNCEMENT.text + "\n" + "Muy importante. " * 80)
    cloud = Cloud(None, graph_error(131047))
    outcome = await cloud.send(trainee(wrote=timedelta(hours=22)), long)
    assert outcome == Outcome(Result.sent, message_refs=("wamid.1", "wamid.2"))
    assert len(cloud.free) == 1 and len(cloud.templates) == 1


async def test_an_answer_past_the_window_fails_without_a_template() -> None:
    cloud = Cloud(graph_error(131047))
    outcome = await cloud.send(trainee(wrote=timedelta(hours=1)), Reply("Hola"))
    assert outcome.result is Result.failed
    assert outcome.error is not None and "131047" in outcome.error
    assert cloud.templates == []


async def test_without_a_template_in_their_language_the_english_one_goes() -> None:
    templates = starter_templates()
    only_english = CourseTemplates(
        {key: t for key, t in templates.templates.items() if key[1] == "en"}, templates.source
    )
    cloud = Cloud()
    outcome = await cloud.send(trainee(wrote=timedelta(days=3)), LESSON, only_english)
    assert outcome.result is Result.sent
    (template,) = cloud.templates
    assert (template.name, template.code) == ("academy_lesson_open", "en")


async def test_without_any_template_nothing_is_sent_and_the_error_says_what_to_add() -> None:
    cloud = Cloud()
    outcome = await cloud.send(
        trainee(wrote=timedelta(days=3)), LESSON, CourseTemplates(source=Path("x/whatsapp.yaml"))
    )
    assert outcome == Outcome(
        Result.failed,
        "window closed and no WhatsApp template for lesson in es or en: add one to x/whatsapp.yaml",
    )
    assert cloud.free == [] and cloud.templates == []


@pytest.mark.parametrize(
    ("error", "result", "retry_after"),
    [
        (graph_error(130429), Result.retry, 1.0),
        (graph_error(131056), Result.retry, 6.0),
        (graph_error(131026), Result.undeliverable, None),
        (graph_error(132001, 404), Result.failed, None),  # the template is not approved
        (graph_error(131000, 500), Result.retry, None),
        (httpx.ReadTimeout("slow"), Result.retry, None),
    ],
)
async def test_a_failed_template_says_what_to_do(
    error: Exception, result: Result, retry_after: float | None
) -> None:
    cloud = Cloud(error)
    outcome = await cloud.send(trainee(wrote=timedelta(days=3)), LESSON)
    assert (outcome.result, outcome.retry_after, outcome.message_refs) == (result, retry_after, ())


async def test_a_failed_free_message_says_what_to_do_and_which_went() -> None:
    long = replace(ANNOUNCEMENT, text=ANNOUNCEMENT.text + "\n" + "Muy importante. " * 80)
    cloud = Cloud(None, graph_error(131026))
    outcome = await cloud.send(trainee(wrote=timedelta(hours=1)), long)
    assert outcome.result is Result.undeliverable and outcome.message_refs == ("wamid.1",)


async def test_a_bug_is_not_taken_for_a_refusal() -> None:
    cloud = Cloud(KeyError("oops"))
    with pytest.raises(KeyError):
        await cloud.send(trainee(wrote=timedelta(hours=1)), LESSON)


async def test_a_reminder_without_a_topic_still_greets_and_opens_the_lesson() -> None:
    cloud = Cloud()
    await cloud.send(
        trainee(wrote=timedelta(days=3), language="zh"),
        Reply("该学习了", purpose=Purpose.reminder),
    )
    (template,) = cloud.templates
    assert (template.code, template.parameters, template.button_payload) == (
        "zh_CN",
        ("—",),
        "les:go",
    )


def test_what_pywa_is_given_for_a_template() -> None:
    language, params = template_params(
        TemplateMessage(
            Purpose.lesson, "academy_lesson_open", "es_MX", ("Ana", "2", "Fotos"), "les:go"
        )
    )
    assert language.value == "es_MX"
    assert [p.to_dict() for p in params] == [
        {
            "type": "BODY",
            "parameters": [
                {"type": "text", "text": "Ana"},
                {"type": "text", "text": "2"},
                {"type": "text", "text": "Fotos"},
            ],
        },
        {
            "type": "button",
            "sub_type": "QUICK_REPLY",
            "index": 0,
            "parameters": [{"type": "payload", "payload": "les:go"}],
        },
    ]
