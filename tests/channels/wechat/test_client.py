"""Our WeChat client against the fake api.weixin.qq.com over real HTTP: what it sends, what it
raises, and how it replaces a refused token (once)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.channels.wechat.client import WeChatClient, WeChatError
from tests.conftest import make_settings
from tests.fakes.wechat_api import SAMPLE_AMR, SAMPLE_PNG, FakeWeChatAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as server:
        yield server


@pytest.fixture
async def client(fake: FakeWeChatAPI) -> AsyncIterator[WeChatClient]:
    async with WeChatClient(fake.app_id, fake.secret, api_url=fake.base_url) as made:
        yield made


async def test_customer_service_messages_go_as_wechat_reads_them(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    fake.person_wrote("oAna")
    await client.typing("oAna")
    await client.send_text("oAna", "第1课：拍好商品照片")
    media_id = await client.upload_image(b"\x89PNG-chart", "progress.png")
    await client.send_image("oAna", media_id)
    await client.send_menu("oAna", "选一个：", [("1", "上课"), ("2", "提问")], "回复数字也可以")
    await client.send_news("oAna", "证书", "你的结业证书", "https://example.org/c/1")
    text, image, menu, news = fake.messages("oAna")
    lesson = {"content": "第1课：拍好商品照片"}
    assert text.body == {"touser": "oAna", "msgtype": "text", "text": lesson}
    assert image.media_id == media_id and fake.media[media_id].content == b"\x89PNG-chart"
    assert fake.media[media_id].content_type == "image/png"
    assert menu.menu == [("1", "上课"), ("2", "提问")]
    assert menu.payload["head_content"] == "选一个："
    assert menu.payload["tail_content"] == "回复数字也可以"
    assert news.payload["articles"][0]["url"] == "https://example.org/c/1"
    assert fake.typing == [("oAna", "Typing")]
    assert fake.token_fetches == 1  # one token for every call


async def test_the_reply_window_is_raised_as_wechat_errors(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    with pytest.raises(WeChatError) as outside:
        await client.send_text("oAna", "hello")
    assert outside.value.errcode == 45015
    fake.person_wrote("oAna", "scan")
    for _ in range(3):
        await client.send_text("oAna", "hello")
    with pytest.raises(WeChatError) as spent:
        await client.send_text("oAna", "one too many")
    assert spent.value.errcode == 45047
    fake.unfollow("oAna")
    with pytest.raises(WeChatError) as gone:
        await client.send_template("oAna", "TPL", {"thing1": "第2课"})
    assert gone.value.errcode == 43004


async def test_a_template_message_and_its_field_limit(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    data = {"thing1": "第2课 写好商品标题", "time2": "今晚 8:00"}
    msgid = await client.send_template("oBo", "TPL_LESSON", data, url="https://x.org/l/2")
    (sent,) = fake.templates_to("oBo")
    assert (sent.msgid, sent.template_id, sent.data) == (msgid, "TPL_LESSON", data)
    assert sent.url == "https://x.org/l/2" and sent.miniprogram is None
    with pytest.raises(WeChatError) as too_long:
        await client.send_template("oBo", "TPL_LESSON", {"thing1": "一" * 21})
    assert too_long.value.errcode == 47003
    page = {"appid": "wxmini", "pagepath": "lesson/2"}
    await client.send_template("oBo", "TPL_LESSON", {"thing1": "第2课"}, miniprogram=page)
    assert fake.templates_to("oBo")[-1].miniprogram == page
    for bad_link in ("javascript:alert(1)", "https://x.org/" + "l" * 1024):
        with pytest.raises(WeChatError) as refused:
            await client.send_template("oBo", "TPL_LESSON", {"thing1": "第2课"}, url=bad_link)
        assert refused.value.errcode == 40066


async def test_a_refused_token_is_replaced_once_and_the_call_repeated(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    fake.person_wrote("oAna")
    await client.send_text("oAna", "一")
    fake.revoke_token()  # another program fetched a token for this AppID
    await client.send_text("oAna", "二")
    fake.expire_token()
    await client.send_text("oAna", "三")
    assert [m.text for m in fake.messages("oAna")] == ["一", "二", "三"]
    assert fake.token_fetches == 3
    assert fake.count_errors(40001) == 1 and fake.count_errors(42001) == 1


async def test_a_token_refused_twice_is_raised(fake: FakeWeChatAPI, client: WeChatClient) -> None:
    fake.person_wrote("oAna")
    fake.fail_next(40001, times=2, openid="oAna")
    with pytest.raises(WeChatError) as refused:
        await client.send_text("oAna", "hello")
    assert refused.value.errcode == 40001
    assert fake.token_fetches == 2  # one replacement, not a loop
    await client.send_text("oAna", "hello")
    assert fake.token_fetches == 2


async def test_other_errors_are_not_retried(fake: FakeWeChatAPI, client: WeChatClient) -> None:
    fake.person_wrote("oAna")
    fake.fail_next(-1, openid="oAna")
    with pytest.raises(WeChatError) as busy:
        await client.send_text("oAna", "hello")
    assert (busy.value.errcode, busy.value.errmsg.startswith("system error")) == (-1, True)
    fake.fail_next(None, status=503)
    with pytest.raises(aiohttp.ClientResponseError) as unavailable:
        await client.send_text("oAna", "hello")
    assert unavailable.value.status == 503
    assert fake.messages("oAna") == []


async def test_a_wrong_secret_is_raised_from_the_first_call(fake: FakeWeChatAPI) -> None:
    async with WeChatClient(fake.app_id, "wrong", api_url=fake.base_url) as client:
        with pytest.raises(WeChatError) as refused:
            await client.create_menu({"button": []})
    assert refused.value.errcode == 40125


async def test_a_slow_answer_is_a_timeout(fake: FakeWeChatAPI) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        client = WeChatClient(fake.app_id, fake.secret, api_url=fake.base_url, session=session)
        await client.tokens.get()
        fake.slow_next(1.0)
        with pytest.raises(TimeoutError):
            await client.create_qr("CLASS42", permanent=True)
        await client.close()
    assert fake.qrcodes == {}


async def test_media_comes_back_as_bytes(fake: FakeWeChatAPI, client: WeChatClient) -> None:
    voice = fake.add_media(SAMPLE_AMR, "audio/amr", "voice.amr")
    assert await client.get_media(voice.media_id) == SAMPLE_AMR
    with pytest.raises(WeChatError) as unknown:
        await client.get_media("MEDIA_none")
    assert unknown.value.errcode == 40007


async def test_the_custom_menu_within_wechat_limits(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    lesson = {"type": "click", "name": "上课", "key": "home:lesson"}
    more = [{"type": "click", "name": f"第{n}项", "key": f"more:{n}"} for n in range(5)]
    menu = {"button": [lesson, {"name": "更多", "sub_button": more}]}
    await client.create_menu(menu)
    assert fake.menu == menu
    refusals = {
        40016: {"button": [lesson] * 4},
        40023: {"button": [{"name": "更多", "sub_button": [*more, more[0]]}]},
        40018: {"button": [{**lesson, "name": "我的学习进度"}]},  # 18 bytes > 16
        40017: {"button": [{"type": "tap", "name": "上课", "key": "k"}]},
    }
    for errcode, refused in refusals.items():
        with pytest.raises(WeChatError) as error:
            await client.create_menu(refused)
        assert error.value.errcode == errcode
    assert fake.menu == menu


async def test_class_qr_codes(fake: FakeWeChatAPI, client: WeChatClient) -> None:
    ticket, url = await client.create_qr("CLASS42", permanent=True)
    assert fake.qrcodes[ticket].scene == "CLASS42" and fake.qrcodes[ticket].permanent
    assert url.startswith("http://weixin.qq.com/q/")
    temporary, _ = await client.create_qr("CLASS43", permanent=False)
    assert fake.qrcodes[temporary].expire_seconds == 30 * 24 * 3600
    assert (await client.qr_image(ticket)).startswith(SAMPLE_PNG)
    with pytest.raises(WeChatError) as too_long:
        await client.create_qr("C" * 65, permanent=True)
    assert too_long.value.errcode == 40053


async def test_from_settings_reads_the_account() -> None:
    settings = make_settings(
        "sqlite+aiosqlite://",
        wechat_app_id="wxapp",
        wechat_app_secret="s3cret",
        wechat_api_url="",
    )
    async with WeChatClient.from_settings(settings) as client:
        assert client.api_url == "https://api.weixin.qq.com"
        assert client.qr_url == "https://mp.weixin.qq.com"
        assert client.app_id == "wxapp"


async def test_an_upload_is_sent_again_after_a_refused_token(
    fake: FakeWeChatAPI, client: WeChatClient
) -> None:
    await client.tokens.get()
    fake.revoke_token()
    media_id = await client.upload_image(b"\xff\xd8certificate", "certificate.jpg")
    assert fake.media[media_id].content == b"\xff\xd8certificate"
    assert fake.media[media_id].content_type == "image/jpeg"
    assert fake.token_fetches == 2
