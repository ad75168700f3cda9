"""WhatsApp's 24-hour window: a scheduled message to someone who has not written for 23 hours
goes as the approved template of its purpose, in their language; an answer always goes as it is.

Interface for the channel's transport (`Transport.send(person, reply)`):

    outcome = await send_in_window(
        person, reply, now,
        templates=course.templates,        # bot.lessons.templates.CourseTemplates of their course
        capabilities=CAPABILITIES,         # WhatsApp's, for fitting the free-form message
        send_free=send_one_reply,          # (person, fitted Reply) -> its wamids; raises on failure
        send_template=send_template,       # (person, TemplateMessage) -> wamid; raises on failure
    )

`reply` is the whole message as composed, not yet fitted: a template stands in for all of it,
so the window must decide before fitting, and fits the free form itself (`fit_replies`). The
runtime's `FittedTransport` hands such a transport the reply unfitted when the transport says
`fits_replies = True`. `send_free` sends one fitted reply (one message, or a file and then a
list), `send_template` one template, each message through the send budget
(`bot.channels.whatsapp.budget.within_budget`); both raise pywa's `WhatsAppError` or an httpx
network error when it fails; any other exception is a bug and is not caught here.
`template_params(message)` gives pywa's `send_template` its `language` and `params`.

Decisions (docs/decisions.md, "Issue 15: window, templates, errors and budget"):
- Open: the person wrote less than 23 hours ago (`Person.last_seen_at`, refreshed at most every
  minute, so it errs early): an hour's margin for clocks and a slow queue, since a free-form
  message past Meta's 24 h is refused (131047) and costs a round trip.
- Closed, or 131047 on a free-form piece: the template (after whatever pieces already went).
- An answer that meets 131047 fails (an answer kept back for a day has no template).
- No template for the purpose in the person's language: the English one; none either: nothing is
  sent and the delivery fails with a last_error naming the file, purpose and language.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from pywa_async.errors import WhatsAppError
from pywa_async.types.templates import BodyText, QuickReplyButton, TemplateLanguage

from bot.channels.whatsapp.errors import Verdict, classify
from bot.core.capabilities import Capabilities
from bot.core.fitting import Wording, fit_replies
from bot.core.messages import Purpose, Reply
from bot.core.payloads import OpenLesson
from bot.db.models import Person
from bot.i18n import Translator
from bot.lessons.templates import CourseTemplates, Template
from bot.scheduling.transport import Outcome, Result

log = logging.getLogger(__name__)

# Meta closes the window 24 h after the person's last message; we stop an hour before.
WINDOW = timedelta(hours=23)
FALLBACK_LANGUAGE = "en"
PAYLOAD_LIMIT = 256  # bytes of a template quick-reply button's payload
# Scheduled messages whose template button opens the next lesson when the message did not say.
OPENS_LESSON = frozenset({Purpose.reminder, Purpose.nudge, Purpose.lesson})
SEND_ERRORS = (WhatsAppError, httpx.TransportError)


@dataclass(frozen=True)
class TemplateMessage:
    """One template to send: its name and Meta's language code (as registered), the body's
    parameters in order, and the payload its quick-reply button carries back ("" for none)."""

    purpose: Purpose
    name: str
    code: str
    parameters: tuple[str, ...]
    button_payload: str


SendFree = Callable[[Person, Reply], Awaitable[Sequence[str]]]
SendTemplate = Callable[[Person, TemplateMessage], Awaitable[str]]


def window_open(person: Person, now: datetime) -> bool:
    """Whether the bot may still write to `person` freely (they wrote within WINDOW)."""
    return now - person.last_seen_at < WINDOW


def template_message(
    templates: CourseTemplates | None, person: Person, reply: Reply
) -> TemplateMessage | None:
    """The template that stands in for `reply` (a scheduled message) to `person`: of its
    purpose, in their language or else in English; None when the course has neither."""
    if templates is None:
        return None
    template = templates.find(reply.purpose, person.language) or templates.find(
        reply.purpose, FALLBACK_LANGUAGE
    )
    if template is None:
        return None
    if template.language != person.language:
        log.warning(
            "no %s template in %s: sending the %s one",
            reply.purpose,
            person.language,
            template.language,
        )
    return TemplateMessage(
        reply.purpose,
        template.name,
        template.code,
        template.parameters_for(reply.topic),
        _button_payload(template, reply),
    )


def _button_payload(template: Template, reply: Reply) -> str:
    payload = reply.topic.opens if reply.topic else ""
    if not payload and template.purpose in OPENS_LESSON:
        payload = OpenLesson().pack()
    return payload if len(payload.encode()) <= PAYLOAD_LIMIT else ""


def template_params(
    message: TemplateMessage,
) -> tuple[TemplateLanguage, list[BodyText._Params | QuickReplyButton._Params]]:
    """What pywa's `send_template(to, name, language, params)` takes for `message`."""
    # (what BodyText.params makes; its signature hides the positionals from a type checker)
    params: list[BodyText._Params | QuickReplyButton._Params] = [
        BodyText._Params(*message.parameters)
    ]
    if message.button_payload:
        params.append(QuickReplyButton.params(callback_data=message.button_payload, index=0))
    return TemplateLanguage(message.code), params


async def send_in_window(
    person: Person,
    reply: Reply,
    now: datetime,
    *,
    templates: CourseTemplates | None,
    capabilities: Capabilities,
    send_free: SendFree,
    send_template: SendTemplate,
) -> Outcome:
    """Send `reply` to `person` as WhatsApp allows at `now`: free form (fitted to
    `capabilities`, one message after another) while their window is open or when it is an
    answer; else the template of its purpose. Returns the delivery engine's outcome, with the
    wamids of every message that went (`Outcome.message_refs`)."""
    scheduled = reply.purpose is not Purpose.answer
    if scheduled and not window_open(person, now):
        return await _send_template(person, reply, templates, send_template, ())
    wording = Wording.from_catalog(Translator(person.language))
    sent: list[str] = []
    for piece in fit_replies([reply], capabilities, wording=wording):
        try:
            sent.extend(await send_free(person, piece))
        except SEND_ERRORS as error:
            failure = classify(error)
            if scheduled and failure.verdict is Verdict.window_closed:
                # Meta's clock says the window closed: the template stands in for the rest.
                return await _send_template(person, reply, templates, send_template, sent)
            outcome = failure.outcome()
            return Outcome(
                outcome.result, outcome.error, outcome.retry_after, message_refs=tuple(sent)
            )
    return Outcome(Result.sent, message_refs=tuple(sent))


async def _send_template(
    person: Person,
    reply: Reply,
    templates: CourseTemplates | None,
    send_template: SendTemplate,
    sent: list[str] | tuple[str, ...],
) -> Outcome:
    message = template_message(templates, person, reply)
    if message is None:
        where = templates.source if templates and templates.source else "the course's whatsapp.yaml"
        error = (
            f"window closed and no WhatsApp template for {reply.purpose} in {person.language} "
            f"or {FALLBACK_LANGUAGE}: add one to {where}"
        )
        log.warning("%s (person %s)", error, person.id)
        return Outcome(Result.failed, error, message_refs=tuple(sent))
    try:
        ref = await send_template(person, message)
    except SEND_ERRORS as error:
        outcome = classify(error).outcome()
        return Outcome(outcome.result, outcome.error, outcome.retry_after, tuple(sent))
    return Outcome(Result.sent, message_refs=(*sent, ref))
