"""`Runtime.running`: one lifecycle for every channel, with real channels of the test's own
(the protocol is all the runtime knows), a real database and a real web server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.core.capabilities import Capabilities
from bot.core.messages import Incoming, Reply, Sender
from bot.db.models import Person
from bot.runtime import Offers, Runtime
from bot.scheduling.transport import Outcome
from tests.channels.telegram.test_webhook import free_port
from tests.conftest import make_settings, migrated_runtime


@dataclass
class Recorder:
    """Sends nothing anywhere; keeps what the delivery engine gave it."""

    channel: str
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, person: Person, reply: Reply) -> Outcome:
        self.sent.append((person.channel_user_id, reply))
        return Outcome.ok()


class HookChannel:
    """A web-hook channel: a route on the shared app that answers a text through the runtime."""

    needs_web = True

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.capabilities = Capabilities(name=name)
        self.transport = Recorder(name)
        self.log = log
        self.runtime: Runtime | None = None

    async def open(self) -> Offers:
        self.log.append(f"{self.name} open")
        return Offers(link_for=lambda code: f"{self.name}://join/{code}")

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
        self.log.append(f"{self.name} start")
        self.runtime = runtime

        async def hook(request: web.Request) -> web.Response:
            incoming = Incoming.from_text(Sender(self.name, "u1"), await request.text())
            async with runtime.sessions() as session:
                replies = (await runtime.replies_to(incoming, session, self.capabilities)).replies
            return web.Response(text="\n".join(reply.text for reply in replies))

        app.router.add_post(f"/{self.name}", hook)
        return None

    async def live(self) -> None:
        self.log.append(f"{self.name} live")

    @staticmethod
    async def wait(event: asyncio.Event) -> None:
        await event.wait()

    async def stop(self) -> None:
        self.log.append(f"{self.name} stop")

    async def close(self) -> None:
        self.log.append(f"{self.name} close")


async def test_two_channels_share_one_web_server_and_stop_in_order(database_url: str) -> None:
    port = free_port()
    settings = make_settings(database_url, webhook_port=port, webhook_host="127.0.0.1")
    await (await migrated_runtime(settings)).close()  # migrated
    log: list[str] = []
    first, second = HookChannel("alpha", log), HookChannel("beta", log)
    async with Runtime.running(settings, [first, second]) as runtime:
        assert runtime.ticker is not None
        log.append("serving")
        async with aiohttp.ClientSession() as client:
            for name in ("alpha", "beta"):
                async with client.post(f"http://127.0.0.1:{port}/{name}", data="/help") as answer:
                    assert answer.status == 200 and "/start" in await answer.text()
            async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert (await health.json()) == {"status": "ok"}
        # Handlers get what each channel offers, for the people of that channel; a channel
        # that offers no links (and one that is not running) gets the typed command.
        services = runtime.academy.services
        assert services.link_for("alpha", "K7") == "alpha://join/K7"
        assert services.link_for("beta", "K7") == "beta://join/K7"
        assert services.link_for("console", "K7") == "/join K7"
        # The delivery engine sends through every channel's transport.
        assert runtime.delivery is not None
        assert set(runtime.delivery.transports) == {"alpha", "beta"}
    assert log == [
        "alpha open",
        "beta open",
        "alpha start",
        "beta start",
        "alpha live",
        "beta live",
        "serving",
        "beta stop",
        "alpha stop",
        "beta close",
        "alpha close",
    ]
    async with aiohttp.ClientSession() as client:  # the server is gone with the runtime
        try:
            await client.get(f"http://127.0.0.1:{port}/healthz")
            listening = True
        except aiohttp.ClientConnectionError:
            listening = False
    assert not listening


async def test_a_channel_that_ends_by_itself_ends_the_runtime(database_url: str) -> None:
    settings = make_settings(database_url)
    await (await migrated_runtime(settings)).close()
    finished = asyncio.Event()

    class Ending(HookChannel):
        needs_web = False

        async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
            await super().start(runtime, app)
            return asyncio.create_task(self.wait(finished))

    log: list[str] = []
    async with Runtime.running(settings, [Ending("gamma", log)]) as runtime:
        assert runtime.delivery is not None
        waiting = asyncio.create_task(runtime.until_stopped())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        finished.set()
        await asyncio.wait_for(waiting, 5)
    assert log[-2:] == ["gamma stop", "gamma close"]


async def test_stop_ends_until_stopped_and_metrics_port_serves_without_web_hooks(
    database_url: str,
) -> None:
    port = free_port()
    settings = make_settings(database_url, metrics_port=port, webhook_host="127.0.0.1")
    await (await migrated_runtime(settings)).close()

    class Polling(HookChannel):
        needs_web = False

    async with Runtime.running(settings, [Polling("delta", [])]) as runtime:
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{port}/healthz") as health,
        ):
            assert health.status == 200
        waiting = asyncio.create_task(runtime.until_stopped())
        runtime.stop()
        await asyncio.wait_for(waiting, 5)
