"""Issuing and checking course certificates (the PNG itself is drawn in certificate.py)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.codes import make_code, normalise_code
from bot.db.models import Certificate, Person
from bot.i18n import Translator
from bot.lessons.certificate import CertificateText, render_certificate
from bot.lessons.model import Course
from bot.lessons.progress import lesson_progress, next_lesson
from bot.localtime import local_day


async def certificate_of(
    session: AsyncSession, person: Person, course: Course
) -> Certificate | None:
    return (
        await session.exec(
            select(Certificate).where(
                Certificate.person_id == person.id, Certificate.course_id == course.id
            )
        )
    ).first()


async def issue_certificate(
    session: AsyncSession, person: Person, course: Course, now: datetime
) -> Certificate:
    """The person's certificate for the course, created once with a code no other one has."""
    existing = await certificate_of(session, person, course)
    if existing is not None:
        return existing
    while True:
        code = make_code()
        taken = await session.exec(select(Certificate.id).where(Certificate.code == code))
        if taken.first() is None:
            break
    certificate = Certificate(
        person_id=person.id,
        course_id=course.id,
        code=code,
        name=person.display_name or "—",
        issued_at=now,
    )
    session.add(certificate)
    return certificate


async def complete_course(
    session: AsyncSession, person: Person, course: Course, now: datetime
) -> Certificate | None:
    """After a passed lesson: the person's certificate when every lesson of the course is passed
    now (issued the first time), None while one is left. The chat and the lesson page both call
    this, so the course ends the same way wherever the last answer was given."""
    if next_lesson(course, await lesson_progress(session, person, course)) is not None:
        return None
    return await issue_certificate(session, person, course, now)


async def find_certificate(session: AsyncSession, typed: str) -> Certificate | None:
    """The certificate a typed code names, however it was typed; None if there is none."""
    code = normalise_code(typed)
    if not code:
        return None
    return (await session.exec(select(Certificate).where(Certificate.code == code))).first()


def certificate_png(
    certificate: Certificate, course: Course, language: str, timezone: str
) -> bytes:
    """The certificate drawn in the person's language."""
    t = Translator(language)
    day = local_day(timezone, certificate.issued_at)
    text = CertificateText(
        heading=t("certificate.heading"),
        person_name=certificate.name,
        line_completed=t("certificate.completed"),
        course_title=course.text_in(course.title, language),
        date_text=format_date(day, format="long", locale=language),
        code_label=t("certificate.code_label"),
        code=certificate.code,
        footer=t("certificate.footer"),
    )
    return render_certificate(text)
