"""Settings from the environment and `.env`: every knob has a working default."""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.localtime import QuietHours, parse_hhmm

Language = Literal["zh", "es", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "es", "en")


class Settings(BaseSettings):
    """Everything the bot can be told; the README lists each with its default."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = Field(
        default=SecretStr(""),
        description="Telegram bot token; empty runs the console chat. Never printed.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/academy.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///FILE or postgresql+asyncpg://…",
    )
    default_language: Language = Field(
        default="en", description="Language when the client's language is unknown."
    )
    default_timezone: str = Field(
        default="Asia/Shanghai",
        description="IANA timezone for new people whose phone language suggests none (English); "
        "es/es-MX start on Mexico City time, zh on Beijing time.",
    )
    telegram_api_url: str = Field(
        default="", description="Base URL of a self-hosted Bot API server (empty: Telegram's)."
    )
    webhook_url: str = Field(
        default="", description="Public HTTPS URL of the webhook; empty uses long polling."
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Secret token Telegram sends with each webhook call (derived if empty).",
    )
    whatsapp_phone_number_id: str = Field(
        default="",
        description="WhatsApp Cloud API: the id of the business phone number the bot sends from "
        "(Meta's App Dashboard, WhatsApp > API Setup); with WHATSAPP_ACCESS_TOKEN it turns the "
        "WhatsApp channel on.",
    )
    whatsapp_access_token: SecretStr = Field(
        default=SecretStr(""),
        description="WhatsApp Cloud API: a system user's permanent access token. Never printed.",
    )
    whatsapp_app_secret: SecretStr = Field(
        default=SecretStr(""),
        description="WhatsApp Cloud API: the Meta app's secret; every web-hook call is checked "
        "against its X-Hub-Signature-256. Needed with the channel on. Never printed.",
    )
    whatsapp_verify_token: SecretStr = Field(
        default=SecretStr(""),
        description="WhatsApp Cloud API: any secret you choose and also type into the app's "
        "web-hook settings (Meta sends it once to check the URL). Never printed.",
    )
    whatsapp_business_account_id: str = Field(
        default="",
        description="WhatsApp Cloud API: the WhatsApp Business Account id (for the message "
        "templates `academy content check` looks up).",
    )
    whatsapp_phone_number: str = Field(
        default="",
        description="The business phone number in international form, digits only "
        "(5215512345678): class links become wa.me links to it.",
    )
    whatsapp_api_url: str = Field(
        default="",
        description="Base URL of the Graph API (empty: https://graph.facebook.com); tests point "
        "it at a fake server.",
    )
    whatsapp_webhook_path: str = Field(
        default="/whatsapp",
        description="Path of the WhatsApp web-hook on the web server (WEBHOOK_HOST:WEBHOOK_PORT).",
    )
    whatsapp_send_rate: float = Field(
        default=80.0,
        gt=0,
        description="Messages per second the business number may send (Cloud API: 80).",
    )
    wechat_app_id: str = Field(
        default="",
        description="WeChat service account (服务号): its AppID "
        "(公众号后台 > 设置与开发 > 基本配置); with WECHAT_APP_SECRET it turns the WeChat "
        "channel on.",
    )
    wechat_app_secret: SecretStr = Field(
        default=SecretStr(""),
        description="WeChat service account: its AppSecret, for the access token. Never printed.",
    )
    wechat_token: SecretStr = Field(
        default=SecretStr(""),
        description="WeChat service account: the Token typed into the server settings "
        "(服务器配置); every call from WeChat is signed with it. Never printed.",
    )
    wechat_encoding_aes_key: SecretStr = Field(
        default=SecretStr(""),
        description="WeChat service account: the EncodingAESKey (43 characters) of safe mode "
        "(安全模式); empty: plaintext messages only. Never printed.",
    )
    wechat_api_url: str = Field(
        default="",
        description="Base URL of the WeChat API (empty: https://api.weixin.qq.com); tests point it "
        "at a fake server.",
    )
    wechat_webhook_path: str = Field(
        default="/wechat",
        description="Path of the WeChat server URL on the web server (WEBHOOK_HOST:WEBHOOK_PORT).",
    )
    public_url: str = Field(
        default="",
        description="The web server's public HTTPS address (e.g. https://academy.example.org): "
        "the lesson page is there (/lesson/..., a signed link per person: the first card of a "
        "lesson in the chat offers it, a WeChat template message's tap opens it), and a "
        "document WeChat cannot send is a download link there for 24 hours (/files/...); "
        "empty: template messages go without a link, documents as a line saying to ask for a "
        "copy.",
    )
    wechat_choices: Literal["links", "menu", "numbers"] = Field(
        default="links",
        description="How WeChat messages offer choices: `links` (tappable lines in the text), "
        "`menu` (a menu message, verified accounts only) or `numbers` (numbered lines only). "
        "Typing the number always works too.",
    )
    unreachable_after_days: int = Field(
        default=7,
        ge=1,
        description="A person whose messages were sent but none delivered for this many days is "
        "counted unreachable (WhatsApp never reports a block).",
    )
    webhook_host: str = Field(
        default="127.0.0.1",
        description="Address the webhook server listens on: this machine only, behind a reverse "
        "proxy; 0.0.0.0 for every interface (a container's private network).",
    )
    webhook_port: int = Field(default=8080, description="Port the webhook server listens on.")
    metrics_port: int = Field(
        default=0,
        description="With long polling, serve /healthz and /metrics on this port (on "
        "WEBHOOK_HOST); 0: off. A webhook server always serves them.",
    )
    web_dashboard: bool = Field(
        default=True,
        description="Serve the web dashboard for lecturers and coordinators (/web) on "
        "WEBHOOK_HOST:WEBHOOK_PORT, also with long polling or the console chat; false: only "
        "web-hooks, lesson pages and downloads are served there.",
    )
    telegram_menu_button: bool = Field(
        default=True,
        description="At start, set the Telegram bot's menu button to open the Mini App "
        "(PUBLIC_URL/web/app: a trainee's next lesson, staff's dashboard) when PUBLIC_URL is "
        "https and WEB_DASHBOARD is on; false, or without them: the menu button is left as it "
        "is (as set in @BotFather).",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Lets a scraper on another machine read /metrics with `Authorization: Bearer "
        "TOKEN`; empty: /metrics answers only requests from this machine.",
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=200,
        description="PostgreSQL connections each worker keeps open (10 more at busy moments).",
    )
    redis_url: str = Field(
        default="",
        description="Redis (e.g. redis://127.0.0.1:6379/0) holding the sending budget all workers "
        "share; needed for more than one worker. Empty: each process keeps its own.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Webhook worker processes `academy run` starts (more than one needs "
        "PostgreSQL and REDIS_URL).",
    )
    send_rate_global: float = Field(
        default=30.0, description="Messages per second the bot sends in all (Telegram: ~30)."
    )
    send_rate_per_chat: float = Field(
        default=1.0, description="Messages per second to one chat, after a short burst."
    )
    send_burst_per_chat: int = Field(
        default=3,
        description="Messages a chat may receive at once before the per-chat rate applies.",
    )
    flood_max_messages: int = Field(
        default=20, description="Messages one person may send per flood window before throttling."
    )
    flood_window_seconds: float = Field(default=10.0, description="The flood window in seconds.")
    max_text_length: int = Field(
        default=2000, description="Longest message text the bot accepts, in characters."
    )
    polling_timeout: int = Field(default=30, description="Long-polling timeout in seconds.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    paid_broadcast: bool = Field(
        default=False,
        description="Send scheduled messages as Telegram paid broadcasts (raise SEND_RATE_GLOBAL "
        "up to 1000 with it).",
    )
    delivery_interval: float = Field(
        default=5.0, description="Seconds between two ticks of the delivery engine."
    )
    shutdown_grace: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a stopping bot (SIGTERM) lets a delivery tick in hand finish before "
        "cancelling it; what it had not sent goes out after the next start.",
    )
    delivery_concurrency: int = Field(
        default=8, description="Scheduled messages in flight at once (the rate limit still rules)."
    )
    delivery_lease: float = Field(
        default=120.0,
        description="Seconds a sender holds the messages it took; a crashed sender's messages go "
        "out again after this.",
    )
    reminder_time: str = Field(
        default="19:00",
        description="Default local time of the daily reminder (HH:MM, 24-hour clock); a value "
        "that is not a time stops start-up.",
    )
    quiet_hours: str = Field(
        default="21:00-08:00",
        description="Local hours when no scheduled message is sent (HH:MM-HH:MM); `off` for "
        "none; a value that cannot be read stops start-up.",
    )
    llm_base_url: str = Field(
        default="",
        description="OpenAI-compatible API base URL (OpenAI, DeepSeek, Qwen, vLLM, Ollama); empty: "
        "answers come from the lesson text alone.",
    )
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="API key for LLM_BASE_URL. Never printed."
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model that writes answers.")
    llm_timeout: float = Field(default=20.0, description="Seconds to wait for an answer.")
    transcription_model: str = Field(
        default="", description="Audio model for voice questions (e.g. whisper-1); empty: off."
    )
    embedding_model: str = Field(
        default="",
        description="Embedding model at LLM_BASE_URL (e.g. text-embedding-3-small), combined with "
        "BM25 to find cards; empty: BM25 alone.",
    )
    embedding_min_similarity: float = Field(
        default=0.5,
        description="Cosine similarity at which an embedding match alone says the course covers "
        "a question.",
    )
    qa_daily_quota: int = Field(default=30, description="Questions one person may ask a day.")
    qa_max_length: int = Field(default=500, description="Longest question, in characters.")
    content_dir: Path = Field(
        default=Path(__file__).resolve().parents[1] / "content",
        description="Folder holding courses/<id>/course.yaml (default: the repository's content/).",
    )
    content_history_dir: Path | None = Field(
        default=None,
        description="Folder keeping every published version of each course "
        "(default: content-history beside the content folder).",
    )
    content_check_seconds: float = Field(
        default=5.0,
        description="How often a running bot looks for edited content and reloads it; 0: never.",
    )
    admin_ids: str = Field(
        default="",
        description="People who are admins from the start: Telegram user ids, or channel:id "
        "(e.g. `123456789, console:you`), separated by commas.",
    )
    role_invite_ttl_days: int = Field(
        default=7,
        ge=1,
        description="Days a one-time lecturer or coordinator invite works; it also stops when "
        "its maker loses the role that may make it.",
    )
    join_max_failures: int = Field(
        default=5,
        ge=1,
        description="Wrong codes one person may try within JOIN_FAILURE_WINDOW_MINUTES before "
        "being locked out of /join and code links.",
    )
    join_failure_window_minutes: float = Field(
        default=15.0, gt=0, description="The window in which wrong codes are counted."
    )
    join_lockout_minutes: float = Field(
        default=15.0, gt=0, description="How long a person who tried too many wrong codes waits."
    )
    join_global_max_failures: int = Field(
        default=50,
        ge=1,
        description="Wrong codes from all accounts together within the window at which everyone "
        "who already tried a wrong one is slowed down (a first try is never slowed).",
    )
    join_slow_minutes: float = Field(
        default=10.0,
        gt=0,
        description="While many accounts try wrong codes: minutes between a person's wrong code "
        "and their next try.",
    )
    default_course: str = Field(
        default="sell-online",
        description="The course a trainee takes when no cohort says otherwise.",
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # raises for an unknown zone, with the name in the message
        return value

    @field_validator("reminder_time", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> str:
        text = str(value).strip()
        if parse_hhmm(text) is None:
            raise ValueError(
                f"REMINDER_TIME must be a time of day on the 24-hour clock, such as 19:00; "
                f"got {text!r}"
            )
        return text

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> str:
        text = str(value).strip()
        if text.casefold() in ("", "off", "none"):
            return "off"
        start, dash, end = text.partition("-")
        if not dash or parse_hhmm(start) is None or parse_hhmm(end) is None:
            raise ValueError(
                f"QUIET_HOURS must be two times of day such as 21:00-08:00 (from 21:00 up to "
                f"08:00), or off; got {text!r}"
            )
        return f"{start.strip()}-{end.strip()}"

    @property
    def quiet(self) -> QuietHours:
        """QUIET_HOURS as hours, read once per value (start-up refused an unreadable one)."""
        return _quiet_hours(self.quiet_hours)

    @cached_property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind `database_url`, or None for another database."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)

    @cached_property
    def admins(self) -> frozenset[tuple[str, str]]:
        """ADMIN_IDS as (channel, user id) pairs; a bare id means a Telegram user."""
        pairs = set()
        for entry in self.admin_ids.replace(";", ",").split(","):
            entry = entry.strip()
            if entry:
                channel, _, user = entry.rpartition(":")
                pairs.add((channel or "telegram", user))
        return frozenset(pairs)

    @property
    def webhook_secret_token(self) -> str:
        """The secret for webhook calls: the configured one or one derived from the token."""
        if self.webhook_secret:
            return self.webhook_secret.get_secret_value()
        import hashlib

        token = self.bot_token.get_secret_value()
        return hashlib.sha256(f"webhook:{token}".encode()).hexdigest()[:48]

    @property
    def web_base_url(self) -> str:
        """Where people open the web pages: PUBLIC_URL, else this machine's WEBHOOK_HOST:PORT."""
        if self.public_url:
            return self.public_url.rstrip("/")
        # A server listening on every interface is opened, on this machine, at 127.0.0.1.
        host = "127.0.0.1" if self.webhook_host in ("", "0.0.0.0", "::") else self.webhook_host
        return f"http://{host}:{self.webhook_port}"

    @property
    def lesson_link_secret(self) -> bytes:
        """The key that signs the links to lesson pages (bot/web/lesson.py): derived from
        WEBHOOK_SECRET, else from the WeChat AppSecret or the bot token, so it needs no setting
        of its own and changes when they do."""
        import hashlib

        base = (
            self.webhook_secret.get_secret_value()
            or self.wechat_app_secret.get_secret_value()
            or self.bot_token.get_secret_value()
        )
        return hashlib.sha256(f"lesson-link:{base}".encode()).digest()


@lru_cache(maxsize=8)
def _quiet_hours(text: str) -> QuietHours:
    return QuietHours.parse(text)
