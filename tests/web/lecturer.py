"""What the lecturer pages' tests share: one clock for the dashboard and the chat, a lecturer
who also talks to the bot, and the delivery engine sending over a recording channel."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from bot.core.messages import Reply
from bot.db.models import Person, Role
from bot.runtime import Runtime
from bot.runtime.delivery import build_engine
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Outcome
from tests.conftest import Trainee
from tests.web.conftest import Browser, DashboardSite, add_class, add_person


@dataclass
class Recorder:
    """The "test" channel every scripted person is on: each message is kept, all arrive."""

    channel: str = "test"
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, person: Person, reply: Reply) -> Outcome:
        self.sent.append((person.channel_user_id, reply))
        return Outcome.ok()

    def texts_to(self, user_id: str) -> list[str]:
        return [reply.text for who, reply in self.sent if who == user_id]


def engine_of(runtime: Runtime, recorder: Recorder) -> DeliveryEngine:
    """The runtime's delivery engine (its planners too) sending over `recorder`."""
    return build_engine(runtime, [recorder])


@dataclass
class Lecturer:
    """A lecturer "lec" (Li Na) with a class "Peaches" of `members` trainees, signed in on the
    dashboard, who can also talk to the bot in the chat."""

    site: DashboardSite
    person_id: int
    class_id: int
    browser: Browser
    chat: Trainee

    @property
    def base(self) -> str:
        return f"/web/classes/{self.class_id}"

    async def close(self) -> None:
        await self.browser.close()


async def lecturer_with_class(
    site: DashboardSite, members: int = 2, name: str = "Peaches"
) -> Lecturer:
    """See Lecturer; the chat runs on the dashboard's clock."""
    runtime = site.runtime
    runtime.academy.services.clock = lambda: site.clock[0]
    person_id = await add_person(runtime, Role.lecturer, name="Li Na", user_id="lec")
    class_id = await add_class(runtime, name, person_id, members=members)
    browser = await site.signed_in(person_id)
    return Lecturer(site, person_id, class_id, browser, Trainee(runtime, "lec", "Li Na", "en"))


async def person_named(runtime: Runtime, user_id: str) -> Person:
    async with runtime.sessions() as session:
        return (await session.exec(select(Person).where(Person.channel_user_id == user_id))).one()
