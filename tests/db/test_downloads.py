"""Files behind a download link (bot/db/downloads.py): a random token per file, only its hash
kept; found while young, expired after a day, pruned after, gone with the person."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from bot.db.downloads import LIFETIME, content_type_of, find, prune, store, token_hash
from bot.db.models import Download, Person
from bot.runtime import Runtime

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def someone(runtime: Runtime, user_id: str = "o-1") -> int:
    async with runtime.sessions() as session:
        person = Person(channel="wechat", channel_user_id=user_id, language="zh")
        session.add(person)
        await session.commit()
        assert person.id is not None
        return person.id


async def kept(runtime: Runtime, person_id: int, data: bytes, now: datetime = NOW) -> str:
    async with runtime.sessions() as session:
        token = await store(session, person_id, "trainees.xlsx", data, now)
        await session.commit()
        return token


async def test_a_token_is_random_256_bits_and_only_its_hash_is_kept(runtime: Runtime) -> None:
    person = await someone(runtime)
    tokens = {await kept(runtime, person, b"x") for _ in range(3)}
    assert len(tokens) == 3
    for token in tokens:
        assert len(token) == 43  # 32 bytes, URL-safe base64 without padding
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    async with runtime.sessions() as session:
        hashes = set((await session.exec(select(Download.token_hash))).all())
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not hashes & tokens


async def test_found_while_young_then_expired_after_a_day(runtime: Runtime) -> None:
    person = await someone(runtime)
    token = await kept(runtime, person, b"\x00spreadsheet\xff")
    async with runtime.sessions() as session:
        found = await find(session, token, NOW + LIFETIME - timedelta(seconds=1))
        assert found is not None and not found.expired
        assert found.download.data == b"\x00spreadsheet\xff"
        assert found.download.person_id == person
        assert found.download.content_type == content_type_of("trainees.xlsx")
        late = await find(session, token, NOW + LIFETIME)
        assert late is not None and late.expired


async def test_a_wrong_token_finds_nothing(runtime: Runtime) -> None:
    person = await someone(runtime)
    token = await kept(runtime, person, b"mine")
    async with runtime.sessions() as session:
        for wrong in ("", token[:-1], token + "A", token_hash(token), "x" * 500):
            assert await find(session, wrong, NOW) is None


async def test_prune_drops_only_what_ran_out(runtime: Runtime) -> None:
    person = await someone(runtime)
    old = await kept(runtime, person, b"old", NOW - LIFETIME)
    young = await kept(runtime, person, b"young", NOW - timedelta(hours=1))
    async with runtime.sessions() as session:
        assert await prune(session, NOW) == 1
        await session.commit()
    async with runtime.sessions() as session:
        assert await find(session, old, NOW) is None
        assert await find(session, young, NOW) is not None


async def test_the_delivery_tick_prunes_downloads(runtime: Runtime) -> None:
    from bot.runtime.delivery import forget_old_downloads, planners

    assert forget_old_downloads in planners()
    person = await someone(runtime)
    await kept(runtime, person, b"old", NOW - 2 * LIFETIME)
    async with runtime.sessions() as session:
        await forget_old_downloads(session, runtime.academy.services, NOW)
        await session.commit()
        assert (await session.exec(select(func.count()).select_from(Download))).one() == 0


async def test_a_person_s_downloads_go_with_them(runtime: Runtime) -> None:
    person = await someone(runtime)
    token = await kept(runtime, person, b"mine")
    async with runtime.sessions() as session:
        found = await session.get(Person, person)
        assert found is not None
        await session.delete(found)
        await session.commit()
    async with runtime.sessions() as session:
        assert await find(session, token, NOW) is None


def test_content_types_of_the_files_the_bot_makes() -> None:
    assert content_type_of("trainees-1.xlsx") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert content_type_of("my-data.json") == "application/json"
    assert content_type_of("NOTES.PDF") == "application/pdf"
    assert content_type_of("no-suffix") == "application/octet-stream"
