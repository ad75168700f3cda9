"""/mydata sends a person everything we keep about them; /forgetme deletes it after asking."""

from __future__ import annotations

from bot.cohorts.privacy import forget, personal_data
from bot.core.messages import Attachment, Button, Reply
from bot.core.payloads import ForgetAnswer, YesNo
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("privacy")


@router.command("mydata")
async def my_data(ctx: Context) -> HandlerResult:
    data = await personal_data(ctx.session, ctx.person)
    return Reply(ctx.t("privacy.mydata"), document=Attachment("my-data.json", data=data))


@router.command("forgetme")
async def forget_me(ctx: Context) -> HandlerResult:
    buttons = (
        (Button(ctx.t("privacy.forget_yes"), ForgetAnswer(YesNo.yes).pack()),),
        (Button(ctx.t("privacy.forget_no"), ForgetAnswer(YesNo.no).pack()),),
    )
    return Reply(ctx.t("privacy.forget_confirm"), buttons=buttons)


@router.button(ForgetAnswer)
async def forget_answer(ctx: Context, tap: ForgetAnswer) -> HandlerResult:
    if tap.answer is not YesNo.yes:
        return Reply(ctx.t("privacy.kept"), edit=True)
    goodbye = ctx.t("privacy.forgotten")
    await forget(ctx.session, ctx.person, ctx.services.courses, ctx.now)
    return Reply(goodbye, edit=True)
