"""What a failed WhatsApp send means for us: one table from the Cloud API's error codes (which
pywa raises as `pywa_async.errors.WhatsAppError` subclasses carrying `.code`) and from network
failures to a `Verdict`, and from that to the delivery engine's `Outcome`.

Interface for the channel:
- `classify(error) -> Failure`: the verdict, the code, how long to back off, and which budget
  to push back (`Failure.pause`: the whole number after 130429, the one person after 131056).
- `outcome_for(error) -> Outcome` (or `Failure.outcome()`): what `Transport.send` returns.
A `Verdict.window_closed` (131047) is for `bot.channels.whatsapp.window` to act on (send the
template); as an outcome on its own it is a failure of that message.

Codes (Meta's Cloud API error codes; pywa's names in brackets):
- 131026 (MessageUndeliverable: not a WhatsApp number, old app, terms not accepted), 131049
  (Meta kept it back for "healthy ecosystem engagement"), 131050 (the person stopped marketing
  messages) → undeliverable: this message never arrives, but the person has not blocked us and
  may write again, so they are not marked blocked.
- 130429 (throughput: 80 msg/s per number, in and out) and 131056 (pair rate: about one message
  per 6 s to one person) → too fast: back off through the send budget, then retry.
- 131047 (more than 24 h since the person wrote) → window closed.
- 5xx answers, 1, 2, 131000, 131016 (unknown / service unavailable), timeouts and network
  errors, and any error Meta marks `is_transient` → retry.
- 190 (the access token expired or was revoked) and the other "the deployer must act" codes
  (0 auth, 10 and 200–299 permissions, 131031 account locked, 131042 payment, 368 restricted)
  → retry after a long wait, logged as an error every time: the messages wait for a fix.
- 100, 131008, 131009 (bad or missing parameter), template errors (132xxx) and anything else
  Meta refuses → failed: sending it again would be refused again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import httpx
from pywa_async.errors import WhatsAppError

from bot.scheduling.transport import Outcome, Result

log = logging.getLogger(__name__)

# How long to hold back after "too fast": Meta says neither. One throughput second for the
# number; one pair interval for the person.
NUMBER_BACKOFF = 1.0
PAIR_BACKOFF = 6.0
# A refused token or a locked account waits for a person to fix it: retry rarely, loudly.
DEPLOYER_BACKOFF = 15 * 60.0


class Verdict(StrEnum):
    """What to do about one failed send."""

    window_closed = "window_closed"  # send the approved template instead
    undeliverable = "undeliverable"  # never arrives; the person is not blocked
    too_fast = "too_fast"  # push the budget back, then retry
    retry = "retry"  # transient: try again later
    deployer = "deployer"  # the token or the account needs a person: retry later, log loudly
    failed = "failed"  # permanent for this message


class Pause(StrEnum):
    """Which part of the send budget a "too fast" answer pushes back."""

    number = "number"  # the business number's rate (130429)
    person = "person"  # the rate to one person (131056)


UNDELIVERABLE = frozenset({131026, 131049, 131050})
TOO_FAST = {130429: Pause.number, 131056: Pause.person}
WINDOW_CLOSED = 131047
TRANSIENT = frozenset({1, 2, 131000, 131016, 133004})
DEPLOYER = frozenset({0, 10, 190, 368, 131031, 131042}) | frozenset(range(200, 300))


@dataclass(frozen=True)
class Failure:
    """One failed send, read: `code` is Meta's (None for a network failure), `backoff` the
    seconds to wait before trying again (None: the engine's own backoff), `pause` the budget to
    push back, `detail` what goes into the delivery's last_error."""

    verdict: Verdict
    code: int | None
    detail: str
    backoff: float | None = None
    pause: Pause | None = None

    def outcome(self) -> Outcome:
        """What the delivery engine records for it."""
        error = self.detail[:500]
        match self.verdict:
            case Verdict.undeliverable:
                return Outcome(Result.undeliverable, error)
            case Verdict.too_fast | Verdict.retry | Verdict.deployer:
                return Outcome(Result.retry, error, retry_after=self.backoff)
            case Verdict.window_closed | Verdict.failed:
                return Outcome(Result.failed, error)


def classify(error: BaseException) -> Failure:
    """What `error`, raised while sending one WhatsApp message, means (see the module's table).
    Anything that is neither a WhatsAppError nor a network failure is a failure of this message:
    a bug must not be retried forever."""
    if isinstance(error, httpx.TransportError):  # timeouts, refused connections, broken reads
        return Failure(Verdict.retry, None, f"network: {type(error).__name__}: {error}")
    if not isinstance(error, WhatsAppError):
        return Failure(Verdict.failed, None, f"{type(error).__name__}: {error}")
    code = error.code
    detail = f"WhatsApp {code}: {error.message}"
    if error.details:
        detail += f" ({error.details})"
    if code in UNDELIVERABLE:
        return Failure(Verdict.undeliverable, code, f"undeliverable: {detail}")
    pause = too_fast(error)
    if pause is not None:
        wait = NUMBER_BACKOFF if pause is Pause.number else PAIR_BACKOFF
        return Failure(Verdict.too_fast, code, detail, backoff=wait, pause=pause)
    if code == WINDOW_CLOSED:
        return Failure(Verdict.window_closed, code, detail)
    if code in DEPLOYER:
        log.error(
            "WhatsApp refuses to send for a reason only the deployer can fix (%s): check "
            "WHATSAPP_ACCESS_TOKEN and the business account in Meta's WhatsApp Manager; "
            "messages wait and are tried again",
            detail,
        )
        return Failure(Verdict.deployer, code, detail, backoff=DEPLOYER_BACKOFF)
    status = error.status_code
    if code in TRANSIENT or error.is_transient or (status is not None and status >= 500):
        return Failure(Verdict.retry, code, detail)
    return Failure(Verdict.failed, code, detail)


def too_fast(error: WhatsAppError) -> Pause | None:
    """The budget a "too fast" answer pushes back; None for any other error. (A bare HTTP 429
    without Meta's body counts as the number's rate.)"""
    if error.code in TOO_FAST:
        return TOO_FAST[error.code]
    return Pause.number if error.code == error.status_code == 429 else None


def outcome_for(error: BaseException) -> Outcome:
    """The delivery engine's outcome for a send that raised `error`."""
    return classify(error).outcome()
