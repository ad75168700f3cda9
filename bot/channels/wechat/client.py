"""Our own small async client for the WeChat official-account API (wechatpy is synchronous).

Only the endpoints the channel needs: customer-service messages (text, image, msgmenu) and
typing, template messages, media upload and download, the custom menu, parametric QR codes.
Every call carries the account's one access token (bot/channels/wechat/token.py); when WeChat
refuses it (40001 not the latest, 42001 expired, 40014 invalid) a fresh token is taken once and
the call is made once more.

Errors: WeChat answers HTTP 200 with `{"errcode": N, "errmsg": "..."}`; any non-zero errcode is
raised as `WeChatError(errcode, errmsg)`. Network failures and HTTP 5xx answers are raised as
aiohttp raises them (`aiohttp.ClientError`, `TimeoutError`): the caller decides to retry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiohttp

from bot.channels.wechat.token import LocalTokenStore, TokenStore, make_token_store
from bot.config import Settings

JsonDict = dict[str, Any]

API_URL = "https://api.weixin.qq.com"
# showqrcode is served by mp.weixin.qq.com; with WECHAT_API_URL set (tests) by that server.
QR_URL = "https://mp.weixin.qq.com"
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
TOKEN_REFUSED = frozenset({40001, 42001, 40014})
PERMANENT_QR = "QR_LIMIT_STR_SCENE"
TEMPORARY_QR = "QR_STR_SCENE"
TEMPORARY_QR_SECONDS = 30 * 24 * 3600  # the longest WeChat allows


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart form field."""

    field: str
    content: bytes
    filename: str
    content_type: str


class WeChatError(Exception):
    """WeChat refused a call: its `errcode` and `errmsg`."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"WeChat {errcode}: {errmsg}")


def _checked(answer: object) -> JsonDict:
    """`answer` (a parsed body) when WeChat says ok; else its error raised."""
    if not isinstance(answer, dict):
        raise WeChatError(-1, f"unexpected answer: {str(answer)[:200]}")
    errcode = int(answer.get("errcode") or 0)
    if errcode != 0:
        raise WeChatError(errcode, str(answer.get("errmsg", "")))
    return answer


async def _read_json(response: aiohttp.ClientResponse) -> JsonDict:
    response.raise_for_status()
    raw = await response.read()
    try:
        answer = json.loads(raw)
    except ValueError:
        raise WeChatError(-1, f"not JSON: {raw[:200]!r}") from None
    return _checked(answer)


class WeChatClient:
    """The account's API client. Close it (or use `async with`) to release its HTTP session
    and the token store it made."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        api_url: str = "",
        tokens: TokenStore | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self.api_url = (api_url or API_URL).rstrip("/")
        self.qr_url = (api_url or QR_URL).rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.tokens: TokenStore = tokens or LocalTokenStore(self.fetch_token)

    @classmethod
    def from_settings(cls, settings: Settings) -> WeChatClient:
        """The client of the account in `settings`, its token shared through Redis when
        REDIS_URL is set."""
        client = cls(
            settings.wechat_app_id,
            settings.wechat_app_secret.get_secret_value(),
            api_url=settings.wechat_api_url,
        )
        client.tokens = make_token_store(settings, client.fetch_token)
        return client

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        await self.tokens.close()
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- the token ------------------------------------------------------------------------

    async def fetch_token(self) -> tuple[str, float]:
        """A new access token from WeChat (invalidating the previous one) and its lifetime in
        seconds. Only the token store calls this."""
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}
        async with self.session.get(f"{self.api_url}/cgi-bin/token", params=params) as response:
            answer = await _read_json(response)
        return str(answer["access_token"]), float(answer.get("expires_in", 7200))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: JsonDict | None = None,
        upload: Upload | None = None,
        raw: bool = False,
    ) -> Any:
        """One API call with the token; a refused token is replaced once and the call repeated.
        The parsed answer, or with `raw` the bytes of a non-JSON answer (media)."""
        token = await self.tokens.get()
        for attempt in (1, 2):
            try:
                return await self._request(method, path, token, params, body, upload, raw)
            except WeChatError as error:
                if error.errcode not in TOKEN_REFUSED or attempt == 2:
                    raise
                token = await self.tokens.refused(token)
        raise AssertionError("unreachable")

    async def _request(
        self,
        method: str,
        path: str,
        token: str,
        params: dict[str, str] | None,
        body: JsonDict | None,
        upload: Upload | None,
        raw: bool,
    ) -> Any:
        query = {**(params or {}), "access_token": token}
        data: bytes | aiohttp.FormData | None = None
        if upload is not None:  # a form is built for each request: a repeat sends it again
            data = aiohttp.FormData()
            data.add_field(
                upload.field,
                upload.content,
                filename=upload.filename,
                content_type=upload.content_type,
            )
        headers = {}
        if body is not None:  # UTF-8: escaped Chinese (\uXXXX) is counted and shown wrongly
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        url = f"{self.api_url}{path}"
        async with self.session.request(
            method, url, params=query, data=data, headers=headers
        ) as response:
            if raw and not _is_json(response):
                response.raise_for_status()
                return await response.read()
            return await _read_json(response)

    async def _post(self, path: str, body: JsonDict) -> JsonDict:
        answer: JsonDict = await self._call("POST", path, body=body)
        return answer

    # --- customer-service messages (within the person's window) ---------------------------

    async def _send(self, openid: str, msgtype: str, content: JsonDict) -> None:
        body = {"touser": openid, "msgtype": msgtype, msgtype: content}
        await self._post("/cgi-bin/message/custom/send", body)

    async def send_text(self, openid: str, text: str) -> None:
        await self._send(openid, "text", {"content": text})

    async def send_image(self, openid: str, media_id: str) -> None:
        await self._send(openid, "image", {"media_id": media_id})

    async def send_menu(
        self, openid: str, head: str, items: list[tuple[str, str]], tail: str = ""
    ) -> None:
        """A menu message: `head`, one tappable line per (id, content) item, `tail`. A tap comes
        back as a text message of the content (and the id as bizmsgmenuid)."""
        menu = {
            "head_content": head,
            "list": [{"id": item_id, "content": content} for item_id, content in items],
            "tail_content": tail,
        }
        await self._send(openid, "msgmenu", menu)

    async def send_news(
        self, openid: str, title: str, description: str, url: str, picurl: str = ""
    ) -> None:
        """A link card (one article): title, description, the page it opens, a picture."""
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        await self._send(openid, "news", {"articles": [article]})

    async def typing(self, openid: str, on: bool = True) -> None:
        """Show (or stop showing) "typing…" to `openid`."""
        body = {"touser": openid, "command": "Typing" if on else "CancelTyping"}
        await self._post("/cgi-bin/message/custom/typing", body)

    # --- template messages (outside the window) -------------------------------------------

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        url: str | None = None,
        miniprogram: JsonDict | None = None,
    ) -> int:
        """A template message; its msgid. A tap opens `url` (or the mini program
        {"appid", "pagepath"})."""
        body: JsonDict = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = miniprogram
        answer = await self._post("/cgi-bin/message/template/send", body)
        return int(answer.get("msgid", 0))

    # --- media ----------------------------------------------------------------------------

    async def upload_image(self, content: bytes, filename: str) -> str:
        """Upload an image (temporary media, kept 3 days by WeChat); its media_id."""
        upload = Upload("media", content, filename, _image_type(filename))
        answer: JsonDict = await self._call(
            "POST", "/cgi-bin/media/upload", params={"type": "image"}, upload=upload
        )
        return str(answer["media_id"])

    async def get_media(self, media_id: str) -> bytes:
        """The bytes of temporary media (a voice note arrives as AMR)."""
        content: bytes = await self._call(
            "GET", "/cgi-bin/media/get", params={"media_id": media_id}, raw=True
        )
        return content

    # --- the account ----------------------------------------------------------------------

    async def create_menu(self, menu: JsonDict) -> None:
        """Set the account's custom menu ({"button": [...]}, WeChat's format)."""
        await self._post("/cgi-bin/menu/create", menu)

    async def create_qr(self, scene: str, permanent: bool) -> tuple[str, str]:
        """A parametric QR code for `scene` (≤ 64 characters): permanent, or for 30 days.
        Its ticket and the URL it encodes."""
        body: JsonDict = {
            "action_name": PERMANENT_QR if permanent else TEMPORARY_QR,
            "action_info": {"scene": {"scene_str": scene}},
        }
        if not permanent:
            body["expire_seconds"] = TEMPORARY_QR_SECONDS
        answer = await self._post("/cgi-bin/qrcode/create", body)
        return str(answer["ticket"]), str(answer["url"])

    async def qr_image(self, ticket: str) -> bytes:
        """The QR code's picture (PNG), to show or print. Needs no token."""
        url = f"{self.qr_url}/cgi-bin/showqrcode"
        async with self.session.get(url, params={"ticket": ticket}) as response:
            response.raise_for_status()
            return await response.read()


def _is_json(response: aiohttp.ClientResponse) -> bool:
    return response.content_type in ("application/json", "text/plain", "text/json")


def _image_type(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".png"):
        return "image/png"
    if lower.endswith(".gif"):
        return "image/gif"
    return "image/jpeg"
