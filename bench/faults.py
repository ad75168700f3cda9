"""Faults: the real webhook app against the fake Bot API while things go wrong, counting what is
lost or doubled.

    python bench/faults.py [--trainees 40] [--updates 12] [--outage 4] [--postgres URL]

Each trainee (an admin, so every update leaves a trace) sends a stream of `/newcohort <name>`
commands, one at a time, as Telegram posts them to the webhook: an update answered with anything
but 2xx is posted again after a pause (Telegram redelivers), and some updates are posted twice
(the redelivery after a timeout). Meanwhile the bench injects:

- a database outage of --outage seconds a third of the way through (on PostgreSQL a TCP proxy
  in front of the server closes every connection and refuses new ones, as a restart does; on
  SQLite the database's folder is moved away, as a lost disk);
- bursts of 429 (retry_after 1 s) and of 500 on sendMessage and sendPhoto, long enough that some
  replies get past the bot's retries and must wait in the outbox;
- duplicate deliveries of one update in six.

The delivery engine ticks every half second, as the lead worker's ticker does. At the end the
database and the fake's record of messages are checked: every update's class exists once
(updates lost, duplicates applied), and every class's "is ready" message arrived once (replies
lost, replies sent twice). Prints a table and ends with ONE JSON line. More probes are functions
in PROBES returning a dict of figures: the privilege probe counts `privilege_escalations`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import col, select

from bench.databases import fresh_postgres
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.transport import TelegramTransport
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import (
    OUTBOX_WAITING,
    Announcement,
    Cohort,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    LessonPlan,
    Person,
    RoleInvite,
)
from bot.i18n import Translator
from bot.runtime import Runtime, run_async
from bot.runtime.delivery import build_engine
from tests.fakes.outage import DatabaseOutage
from tests.fakes.telegram_server import FakeTelegram
from tests.handlers.test_hostile_input import examples, kinds

FIRST_ID = 900_000_000
REDELIVERY_PAUSE = 0.5  # seconds before "Telegram" posts a refused update again
LIFTED = 100_000.0  # messages per second: the bot's own pacing out of the way
en = Translator("en")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Rig:
    """The running bot, the fake Bot API, the database switch."""

    fake: FakeTelegram
    runtime: Runtime
    url: str
    secret: str
    outage: DatabaseOutage
    args: argparse.Namespace


@dataclass
class Tally:
    faults: Counter[str] = field(default_factory=Counter)
    posts: Counter[int] = field(default_factory=Counter)  # HTTP status -> count


def class_name(uid: int, k: int) -> str:
    return f"C{uid}x{k}"


async def post_until_taken(rig: Rig, update: dict[str, Any], tally: Tally) -> None:
    """Post an update as Telegram does: again and again until it is answered 2xx."""
    while True:
        status = await rig.fake.post_update_to(rig.url, update, rig.secret)
        tally.posts[status] += 1
        if 200 <= status < 300:
            return
        tally.faults["redeliveries_after_refusal"] += 1
        await asyncio.sleep(REDELIVERY_PAUSE)


async def trainee(rig: Rig, index: int, ids: Callable[[], int], tally: Tally) -> None:
    uid = FIRST_ID + index
    user = rig.fake.user(uid, f"T{index}")
    rng = random.Random(index)
    for k in range(rig.args.updates):
        update = {
            "update_id": ids(),
            "message": user.text_message(f"/newcohort {class_name(uid, k)}"),
        }
        if rng.random() < 1 / 6:  # Telegram timed out waiting and sends it again at once
            tally.faults["duplicate_deliveries"] += 1
            await asyncio.gather(*(post_until_taken(rig, update, tally) for _ in range(2)))
        else:
            await post_until_taken(rig, update, tally)
        await asyncio.sleep(rng.uniform(0.05, 0.25))


async def inject(rig: Rig, tally: Tally, stop: asyncio.Event) -> None:
    """The faults, on a timeline: Telegram bursts throughout, the database outage once."""
    start = time.monotonic()
    outage_at = rig.args.outage_at
    cut = False
    while not stop.is_set():
        elapsed = time.monotonic() - start
        if not cut and elapsed >= outage_at and rig.args.outage > 0:
            cut = True
            await rig.outage.cut()
            tally.faults["database_outages"] += 1
            tally.faults["database_outage_seconds"] += rig.args.outage
            await asyncio.sleep(rig.args.outage)
            await rig.outage.restore()
            continue
        burst = rig.args.burst
        method = random.choice(("sendMessage", "sendPhoto"))
        # Half the bursts hit whoever sends next, half one person's chat: enough in a row that
        # their reply gets past the bot's retries (five 429s, three 500s).
        chat = FIRST_ID + random.randrange(rig.args.trainees) if random.random() < 0.5 else None
        if random.random() < 0.5:
            rig.fake.fail_next(method, status=429, retry_after=1, times=burst, chat_id=chat)
            tally.faults["telegram_429"] += burst
        else:
            rig.fake.fail_next(method, status=500, times=burst, chat_id=chat)
            tally.faults["telegram_500"] += burst
        await asyncio.sleep(rig.args.burst_every)


async def ticker(rig: Rig, stop: asyncio.Event, bot: Any) -> None:
    engine = build_engine(rig.runtime, [TelegramTransport(bot)])
    while not stop.is_set():
        try:
            await engine.tick()
        except Exception as error:  # the database is away: next tick
            print(f"  tick failed: {type(error).__name__}", file=sys.stderr)
        await asyncio.sleep(0.5)


async def outbox_waiting(rig: Rig, statuses: tuple[DeliveryStatus, ...] = OUTBOX_WAITING) -> int:
    async with rig.runtime.sessions() as session:
        rows = await session.exec(
            select(Delivery.id).where(
                col(Delivery.kind) == DeliveryKind.reply, col(Delivery.status).in_(statuses)
            )
        )
        return len(list(rows))


async def delivery_probe(rig: Rig, bot: Any) -> dict[str, Any]:
    """Updates and replies under a database outage, Telegram bursts and duplicate deliveries."""
    tally = Tally()
    counter = iter(range(1, 10**9))
    stop, done = asyncio.Event(), asyncio.Event()
    tick = asyncio.create_task(ticker(rig, done, bot))
    faults = asyncio.create_task(inject(rig, tally, stop))
    started = time.monotonic()
    await asyncio.gather(
        *(trainee(rig, i, lambda: next(counter), tally) for i in range(rig.args.trainees))
    )
    stop.set()
    await faults
    for _ in range(240):  # let the outbox drain (a 429 burst may still be in the way)
        if await outbox_waiting(rig) == 0:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    done.set()
    await tick
    seconds = time.monotonic() - started

    async with rig.runtime.sessions() as session:
        made = Counter((await session.exec(select(Cohort.name))).all())
    expected = [
        class_name(FIRST_ID + i, k)
        for i in range(rig.args.trainees)
        for k in range(rig.args.updates)
    ]
    ready: Counter[str] = Counter()
    for i in range(rig.args.trainees):
        for message in rig.fake.messages(FIRST_ID + i):
            ready[message.text or ""] += 1
    replies = [ready[en("cohort.created", name=name)] for name in expected]
    return {
        "updates": len(expected),
        "faults": dict(tally.faults),
        "webhook_answers": {str(k): v for k, v in sorted(tally.posts.items())},
        "updates_lost": sum(1 for name in expected if made[name] == 0),
        "duplicates_applied": sum(max(0, made[name] - 1) for name in expected),
        "replies_lost": sum(1 for n in replies if n == 0),
        "replies_sent_twice": sum(max(0, n - 1) for n in replies),
        "outage_notices": ready[en("error.saved")],
        "replies_via_outbox": await outbox_waiting(rig, (DeliveryStatus.sent,)),
        "outbox_left": await outbox_waiting(rig),
        "seconds": round(seconds, 1),
    }


OUTSIDER = 700_000_000  # people who are in no ADMIN_IDS
# Buttons only lecturers, coordinators and admins may press (every shape the bot makes is listed
# in tests/handlers/test_hostile_input.py); trainee-level ones (lessons, review, ...) are left out.
PRIVILEGED_PREFIXES = ("coh", "ann", "plan", "stats")
PRIVILEGED_COMMANDS = (
    "/newcohort Forged",
    "/invite_lecturer",
    "/invite_coordinator",
    "/questions",
    "/answer 1 forged",
    "/stats",
)


# The privilege probe's own update ids: the delivery probe's are small numbers, and an id seen
# before is a redelivery the bot rightly ignores.
PROBE_IDS = iter(range(500_000_000, 600_000_000))


async def post(rig: Rig, uid: int, text: str) -> int:
    update = {
        "update_id": next(PROBE_IDS),
        "message": rig.fake.user(uid, f"P{uid}").text_message(text),
    }
    return await rig.fake.post_update_to(rig.url, update, rig.secret)


async def press_forged(rig: Rig, uid: int, data: str) -> int:
    """A callback query with `data` on the newest bot message in the person's chat: what a
    modified client sends."""
    user = rig.fake.user(uid, f"P{uid}")
    (message, *_) = reversed(rig.fake.messages(uid))
    query = {
        "id": rig.fake._new_callback_query(uid),
        "from": user.to_api(),
        "message": rig.fake._message_payload(message),
        "chat_instance": f"ci-{uid}",
        "data": data,
    }
    update = {"update_id": next(PROBE_IDS), "callback_query": query}
    return await rig.fake.post_update_to(rig.url, update, rig.secret)


async def roles(rig: Rig) -> dict[str, str]:
    async with rig.runtime.sessions() as session:
        rows = await session.exec(select(Person.channel_user_id, Person.role))
        return dict(rows.all())


async def newest_invite(rig: Rig) -> RoleInvite:
    async with rig.runtime.sessions() as session:
        query = select(RoleInvite).order_by(col(RoleInvite.id).desc())
        return (await session.exec(query)).first()  # type: ignore[return-value]


async def privileged_state(rig: Rig) -> list[tuple[Any, ...]]:
    """What a privileged action changes: classes, invites, plans, announcements, roles."""
    async with rig.runtime.sessions() as session:
        state: list[tuple[Any, ...]] = []
        for model in (Cohort, RoleInvite, LessonPlan, Announcement, Person):
            for row in await session.exec(select(model)):
                values = row.model_dump(exclude={"last_seen_at", "awaiting"})
                state.append((model.__name__, tuple(sorted(values.items(), key=str))))
        return sorted(state, key=repr)


async def privilege_probe(rig: Rig, bot: Any) -> dict[str, Any]:
    """People who should not get a role or a class's controls, trying through the webhook:
    30 at once on one one-time invite, an invite two years old, an invite whose maker was
    demoted, and a trainee forging every lecturer/coordinator button and command on a class
    that is not theirs. Each person or action that got what it should not is one escalation."""
    boss = FIRST_ID  # an admin (ADMIN_IDS)
    figures: Counter[str] = Counter()
    await post(rig, boss, "/invite_lecturer")
    code = (await newest_invite(rig)).code
    racers = [OUTSIDER + i for i in range(30)]
    await asyncio.gather(*(post(rig, uid, f"/start {code}") for uid in racers))
    made = sum(
        1
        for uid, role in (await roles(rig)).items()
        if uid in map(str, racers) and role != "trainee"
    )
    figures["one_time_invite_claims"] = len(racers)
    figures["one_time_invite_escalations"] = max(0, made - 1)

    await post(rig, boss, "/invite_lecturer")
    old = await newest_invite(rig)
    async with rig.runtime.sessions() as session:
        old.created_at = datetime.now(UTC) - timedelta(days=730)
        session.add(old)
        await session.commit()
    await post(rig, OUTSIDER + 100, f"/start {old.code}")
    maker = OUTSIDER + 101  # made a coordinator, makes an invite, then loses the role
    await post(rig, maker, "/help")
    async with rig.runtime.sessions() as session:
        person = (
            await session.exec(select(Person).where(Person.channel_user_id == str(maker)))
        ).one()
        person.role = "coordinator"
        session.add(person)
        await session.commit()
    await post(rig, maker, "/invite_lecturer")
    orphan = (await newest_invite(rig)).code
    async with rig.runtime.sessions() as session:
        person.role = "trainee"
        session.add(person)
        await session.commit()
    await post(rig, OUTSIDER + 102, f"/start {orphan}")
    after = await roles(rig)
    figures["old_invite_escalations"] = int(after.get(str(OUTSIDER + 100)) != "trainee")
    figures["demoted_maker_escalations"] = int(after.get(str(OUTSIDER + 102)) != "trainee")

    await post(rig, boss, "/newcohort Probe class")
    async with rig.runtime.sessions() as session:
        cohort = (await session.exec(select(Cohort).where(Cohort.name == "Probe class"))).one()
    await press_forged(rig, boss, f"plan:new:{cohort.id}")
    await press_forged(rig, boss, f"ann:new:{cohort.id}")
    await post(rig, boss, "Class at six")
    async with rig.runtime.sessions() as session:
        plan = (await session.exec(select(LessonPlan))).first()
        announcement = (await session.exec(select(Announcement))).first()
    ids = {
        "cid": cohort.id,
        "pid": plan.id if plan else 1,
        "aid": announcement.id if announcement else 1,
        "slug": "x",
    }
    forger = OUTSIDER + 200
    await post(rig, forger, f"/join {cohort.invite_code}")
    before = await privileged_state(rig)
    files_before = sum(1 for m in rig.fake.messages(forger) if m.kind != "text")
    attempts = 0
    privileged = [
        kind for kind in kinds().values() if kind.prefix.split(":")[0] in PRIVILEGED_PREFIXES
    ]
    for kind in privileged:
        for shape in examples(kind):
            attempts += 1
            await press_forged(rig, forger, shape.format(**ids))
            now_state = await privileged_state(rig)
            if now_state != before:
                figures["forged_button_escalations"] += 1
                before = now_state
    for command in PRIVILEGED_COMMANDS:
        attempts += 1
        await post(rig, forger, command)
        now_state = await privileged_state(rig)
        if now_state != before:
            figures["forged_command_escalations"] += 1
            before = now_state
    files = sum(1 for m in rig.fake.messages(forger) if m.kind != "text") - files_before
    figures["forged_attempts"] = attempts
    figures["files_leaked_to_forger"] = files
    escalations = sum(v for k, v in figures.items() if k.endswith("escalations")) + files
    return {"privilege": dict(figures), "privilege_escalations": escalations}


Probe = Callable[[Rig, Any], Awaitable[dict[str, Any]]]
PROBES: list[Probe] = [delivery_probe, privilege_probe]


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    drop = None
    if args.postgres:
        url, drop = await fresh_postgres(args.postgres, "faults")
    else:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='faults-')}/db/academy.db"
    outage = DatabaseOutage(url)
    try:
        async with FakeTelegram() as fake:
            port = free_port()
            hook = f"http://127.0.0.1:{port}/hook"
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_url=await outage.start(),
                bot_token=fake.token,
                telegram_api_url=fake.base_url,
                webhook_url=hook,
                webhook_host="127.0.0.1",
                webhook_port=port,
                webhook_secret="bench-secret",
                admin_ids=",".join(str(FIRST_ID + i) for i in range(args.trainees)),
                flood_max_messages=10_000,
                send_rate_global=LIFTED,
                send_rate_per_chat=LIFTED,
                send_burst_per_chat=10_000,
                log_level="ERROR",
            )
            engine = make_engine(settings)
            await upgrade(engine)
            await engine.dispose()
            telegram = TelegramChannel(settings)
            async with Runtime.running(settings, [telegram], deliveries=False) as runtime:
                outage.watch(runtime.engine)
                bot = telegram.bot
                rig = Rig(fake, runtime, hook, "bench-secret", outage, args)
                results: dict[str, Any] = {"backend": "postgresql" if args.postgres else "sqlite"}
                for probe in PROBES:
                    if args.probes and probe.__name__.removesuffix("_probe") not in args.probes:
                        continue
                    results.update(await probe(rig, bot))
    finally:
        await outage.stop()
        if drop is not None:
            await drop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--updates", type=int, default=12, help="updates per trainee")
    parser.add_argument("--outage", type=float, default=4.0, help="database outage, seconds")
    parser.add_argument("--outage-at", type=float, default=2.0, help="seconds into the run")
    parser.add_argument("--burst", type=int, default=8, help="failures per Telegram burst")
    parser.add_argument("--burst-every", type=float, default=1.5, help="seconds between bursts")
    parser.add_argument("--postgres", default="", help="a server URL: run on PostgreSQL")
    parser.add_argument(
        "--probes", nargs="*", default=[], help="run only these (delivery, privilege)"
    )
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    results = run_async(main_async(args))
    for key in (
        "updates_lost",
        "duplicates_applied",
        "replies_lost",
        "replies_sent_twice",
        "privilege_escalations",
    ):
        print(f"{key:>22}: {results.get(key)}")
    print(f"{'faults':>22}: {results.get('faults')}")
    print(json.dumps({"bench": "faults", **results}))


if __name__ == "__main__":
    main()
