"""What channels offer handlers, per channel: with Telegram and WhatsApp in one process, a
WhatsApp voice note is fetched from WhatsApp and a WhatsApp lecturer's class link is a wa.me
link; the console (no offers) keeps "/join CODE"."""

from __future__ import annotations

from sqlmodel import select

from bot.core.messages import Incoming, Kind, Sender
from bot.db.models import Cohort
from bot.i18n import Translator
from bot.pipeline.router import Offers
from bot.runtime import Runtime
from tests.cohorts.test_linking import link_code, on
from tests.conftest import FixedClock, Trainee, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI

en, es = Translator("en"), Translator("es")


def telegram_link(code: str) -> str:
    return f"https://t.me/academy_bot?start={code}"


def whatsapp_link(code: str) -> str:
    return f"https://wa.me/5215550000?text=%2Fjoin%20{code}"


def two_channels(school: Runtime, fetched: list[str] | None = None) -> None:
    """Telegram and WhatsApp in one process, each offering its own link and download."""

    def fetcher(channel: str):  # type: ignore[no-untyped-def]
        async def fetch(ref: str) -> bytes:
            assert fetched is not None
            fetched.append(f"{channel}:{ref}")
            return b"OggS voice"

        return fetch

    school.academy.services.offers = {
        "telegram": Offers(link_for=telegram_link, fetch_file=fetcher("telegram")),
        "whatsapp": Offers(link_for=whatsapp_link, fetch_file=fetcher("whatsapp")),
    }


async def lecturer_on(school: Runtime, channel: str, user_id: str) -> Trainee:
    boss = Trainee(school, "boss", "Boss", "en")
    (invite,) = await boss.send("/invite_lecturer")
    code = invite.text.rsplit(" ", 1)[-1]
    lecturer = on(school, channel, user_id, "Li Na")
    await lecturer.send(f"/start {code}")
    assert es("role.granted", role=es("role.lecturer")) in lecturer.texts
    return lecturer


async def new_class(lecturer: Trainee, name: str) -> tuple[Cohort, str]:
    """The class and the caption of its QR code."""
    _, qr, _ = await lecturer.send(f"/newcohort {name}")
    assert qr.image is not None
    async with lecturer.runtime.sessions() as session:
        cohort = (await session.exec(select(Cohort).where(Cohort.name == name))).one()
    return cohort, qr.text


async def test_a_class_link_is_made_for_its_lecturers_channel(school: Runtime) -> None:
    two_channels(school)
    on_whatsapp = await lecturer_on(school, "whatsapp", "5215550001")
    cohort, caption = await new_class(on_whatsapp, "Duraznos")
    assert whatsapp_link(cohort.invite_code) in caption
    on_telegram = await lecturer_on(school, "telegram", "100")
    cohort, caption = await new_class(on_telegram, "Mangos")
    assert telegram_link(cohort.invite_code) in caption
    on_console = await lecturer_on(school, "console", "me")
    cohort, caption = await new_class(on_console, "Nopales")
    assert f"/join {cohort.invite_code}" in caption and "https://" not in caption


async def test_a_linked_lecturer_s_link_follows_the_app_they_use(school: Runtime) -> None:
    two_channels(school)
    lecturer = await lecturer_on(school, "telegram", "100")
    cohort, caption = await new_class(lecturer, "Duraznos")
    assert telegram_link(cohort.invite_code) in caption
    code = await link_code(lecturer)
    # The /link reply offers the other channels' links for the code.
    assert (
        whatsapp_link(code) in lecturer.texts[0] and telegram_link(code) not in (lecturer.texts[0])
    )
    on_whatsapp = on(school, "whatsapp", "5215550001", "Li Na")
    await on_whatsapp.send(f"/join {code}")  # as the wa.me link fills it in
    assert on_whatsapp.texts == [es("link.linked")]
    await on_whatsapp.send("/cohorts")
    await on_whatsapp.press("👥 Duraznos")
    (card,) = on_whatsapp.last
    assert whatsapp_link(cohort.invite_code) in card.text


async def test_a_voice_note_is_fetched_from_its_own_channel(database_url: str) -> None:
    async with FakeOpenAI() as llm:
        settings = make_settings(
            database_url,
            llm_base_url=llm.base_url,
            llm_api_key="k",
            transcription_model="whisper-1",
        )
        school = await migrated_runtime(settings)
        school.academy.services.clock = FixedClock()
        fetched: list[str] = []
        two_channels(school, fetched)
        try:
            llm.transcribe_as("How do I use daylight by a window for my photos?")
            llm.reply("Take it by a window in daylight [good-photos].")
            for channel in ("whatsapp", "console"):
                sender = Sender(channel, "52155", "Rosa", "en")
                voice = Incoming(sender, Kind.voice, file_ref="wamid.VOICE")
                async with school.sessions() as session:
                    replies = await school.academy.handle(voice, session)
                if channel == "console":  # nothing to fetch it with: asked to type
                    assert replies[0].text == en("error.voice")
                else:
                    assert replies[0].text == "Take it by a window in daylight."
            assert fetched == ["whatsapp:wamid.VOICE"]
        finally:
            await school.close()


async def test_a_link_made_by_the_provider_first_or_a_clear_line(school: Runtime) -> None:
    """A channel whose class links need its provider (WeChat's QR codes) makes the link before
    the handler shows it; when it cannot, the class card shows "/join CODE" and says so."""
    made: list[str] = []
    working = True

    async def prepare(session: object, code: str) -> bool:
        if working:
            made.append(code)
        return working

    def wechat_link(code: str) -> str:
        return f"http://weixin.qq.com/q/{code}" if code in made else f"/join {code}"

    school.academy.services.offers = {
        "wechat": Offers(link_for=wechat_link, prepare_link=prepare),
    }
    lecturer = await lecturer_on(school, "wechat", "oLiNa")
    cohort, caption = await new_class(lecturer, "Duraznos")
    assert set(made) == {cohort.invite_code} and wechat_link(cohort.invite_code) in caption
    working = False
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Duraznos")
    (card,) = lecturer.last
    assert f"/join {cohort.invite_code}\n{es('cohort.link_unavailable')}" in card.text
