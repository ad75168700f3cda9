"""Every WhatsApp error code we meet, read the way the brief of issue 15 says: one table."""

from __future__ import annotations

import httpx
import pytest
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.errors import Pause, Verdict, classify, outcome_for
from bot.scheduling.transport import Result


def graph_error(code: int, status: int = 400, **fields: object) -> WhatsAppError:
    """The exception pywa raises for Meta's error body with `code` (its subclass for the code)."""
    body = {"code": code, "message": f"error {code}", "type": "OAuthException", **fields}
    request = httpx.Request("POST", "https://graph.example/v23.0/123/messages")
    return WhatsAppError.from_dict(body, response=httpx.Response(status, request=request))


TABLE = [
    # code, HTTP status, verdict, engine result, budget pushed back
    (131026, 400, Verdict.undeliverable, Result.undeliverable, None),
    (131049, 400, Verdict.undeliverable, Result.undeliverable, None),
    (131050, 400, Verdict.undeliverable, Result.undeliverable, None),
    (130429, 400, Verdict.too_fast, Result.retry, Pause.number),
    (131056, 400, Verdict.too_fast, Result.retry, Pause.person),
    (131047, 400, Verdict.window_closed, Result.failed, None),
    (131000, 500, Verdict.retry, Result.retry, None),
    (131016, 503, Verdict.retry, Result.retry, None),
    (1, 500, Verdict.retry, Result.retry, None),
    (2, 503, Verdict.retry, Result.retry, None),
    (190, 401, Verdict.deployer, Result.retry, None),
    (131042, 400, Verdict.deployer, Result.retry, None),
    (100, 400, Verdict.failed, Result.failed, None),
    (131008, 400, Verdict.failed, Result.failed, None),
    (131009, 400, Verdict.failed, Result.failed, None),
    (132001, 404, Verdict.failed, Result.failed, None),  # no such template: fix the file
    (132012, 400, Verdict.failed, Result.failed, None),
]


@pytest.mark.parametrize(("code", "status", "verdict", "result", "pause"), TABLE)
def test_each_code_means_what_meta_says(
    code: int, status: int, verdict: Verdict, result: Result, pause: Pause | None
) -> None:
    error = graph_error(code, status)
    assert error.code == code
    failure = classify(error)
    assert (failure.verdict, failure.code, failure.pause) == (verdict, code, pause)
    outcome = outcome_for(error)
    assert outcome.result is result
    assert outcome.error is not None and str(code) in outcome.error  # last_error names it


def test_too_fast_and_the_token_say_how_long_to_wait() -> None:
    assert outcome_for(graph_error(130429)).retry_after == 1.0  # one second of throughput
    assert outcome_for(graph_error(131056)).retry_after == 6.0  # one pair interval
    assert outcome_for(graph_error(190, 401)).retry_after == 15 * 60  # until someone fixes it
    assert outcome_for(graph_error(131000, 500)).retry_after is None  # the engine's backoff


def test_the_token_is_logged_loudly(caplog: pytest.LogCaptureFixture) -> None:
    classify(graph_error(190, 401))
    (record,) = [r for r in caplog.records if r.name == "bot.channels.whatsapp.errors"]
    assert record.levelname == "ERROR"
    assert "WHATSAPP_ACCESS_TOKEN" in record.getMessage()


def test_undeliverable_is_not_blocked_and_says_why() -> None:
    outcome = outcome_for(graph_error(131026, error_data={"details": "not on WhatsApp"}))
    assert outcome.result is Result.undeliverable
    assert outcome.error == "undeliverable: WhatsApp 131026: error 131026 (not on WhatsApp)"


def test_server_errors_without_metas_body_and_transient_ones_are_retried() -> None:
    # pywa makes an error from the status when the body is not Meta's JSON (a proxy's 502 page).
    request = httpx.Request("POST", "https://graph.example/v23.0/123/messages")
    response = httpx.Response(502, text="<html>Bad gateway</html>", request=request)
    error = WhatsAppError.from_dict({"code": 502, "message": response.text}, response=response)
    assert classify(error).verdict is Verdict.retry
    assert classify(graph_error(131999, 400, is_transient=True)).verdict is Verdict.retry
    assert classify(graph_error(131999, 400)).verdict is Verdict.failed
    bare_429 = WhatsAppError.from_dict(
        {"code": 429, "message": "slow down"}, response=httpx.Response(429, request=request)
    )
    assert classify(bare_429).pause is Pause.number


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
def test_network_failures_are_retried(error: Exception) -> None:
    outcome = outcome_for(error)
    assert outcome.result is Result.retry
    assert outcome.error is not None and outcome.error.startswith("network: ")


def test_a_bug_is_a_failure_not_a_retry_forever() -> None:
    assert outcome_for(ValueError("bad reply")).result is Result.failed
