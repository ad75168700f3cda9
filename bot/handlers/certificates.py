"""The certificate at the end of the course, and /certificate to get it again."""

from __future__ import annotations

from bot.core.messages import Attachment, Reply
from bot.db.models import Certificate
from bot.handlers.menu import main_menu
from bot.lessons.certificates import certificate_of, certificate_png
from bot.lessons.model import Course
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("certificates")


def certificate_reply(ctx: Context, course: Course, certificate: Certificate) -> Reply:
    language = ctx.person.language
    png = certificate_png(certificate, course, language, ctx.person.timezone)
    caption = ctx.t(
        "certificate.caption", course=course.text_in(course.title, language), code=certificate.code
    )
    return Reply(caption, image=Attachment(f"certificate-{certificate.code}.png", data=png))


async def completion_replies(ctx: Context, course: Course, certificate: Certificate) -> list[Reply]:
    """Congratulations and the certificate, when the last lesson is passed."""
    title = course.text_in(course.title, ctx.person.language)
    name = ctx.person.display_name or ctx.t("start.friend")
    return [
        Reply(ctx.t("course.completed", name=name, course=title), menu=await main_menu(ctx)),
        certificate_reply(ctx, course, certificate),
    ]


@router.command("certificate")
async def send_certificate_again(ctx: Context) -> HandlerResult:
    course = ctx.services.course_for(ctx.person)
    certificate = await certificate_of(ctx.session, ctx.person, course)
    if certificate is None:
        return Reply(ctx.t("certificate.not_yet"), menu=await main_menu(ctx))
    return certificate_reply(ctx, course, certificate)
