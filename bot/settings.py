"""Settings from environment variables and an optional TOML file; secrets only from the environment."""

from __future__ import annotations

import os
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from conversations.detection import CONFIDENT
from conversations.events import PURPOSES

CONFIG_FILE_ENV = "FEEDBACK_BOT_CONFIG"
DEFAULT_CONFIG_FILE = Path("feedback-bot.toml")
SECRETS = frozenset(
    {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "MONGODB_URI",
        "TRANSLATION_API_KEY",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SHOP_API_KEY",
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WEBCHAT_SECRET",
        "CONTACT_KEYS",
        "METRICS_TOKEN",
    }
)


class TeamSettings(BaseModel):
    """One team of agents: its Slack channel and its working calendar."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    timezone: str = "UTC"
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], description="Monday = 0")
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays: list[date] = Field(default_factory=list)


class Settings(BaseSettings):
    # An empty variable (`WHATSAPP_APP_SECRET=`) is unset, never an empty secret that verifies anything.
    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=False, frozen=True, env_ignore_empty=True
    )

    host: str = Field("127.0.0.1", validation_alias=AliasChoices("FEEDBACK_BOT_HOST", "feedback_bot_host"))
    port: int = Field(
        8080, ge=0, le=65535, validation_alias=AliasChoices("FEEDBACK_BOT_PORT", "feedback_bot_port")
    )
    data_dir: Path = Field(
        Path("data"), validation_alias=AliasChoices("FEEDBACK_BOT_DATA_DIR", "feedback_bot_data_dir")
    )
    log_level: str = Field(
        "INFO",
        description="DEBUG, INFO, WARNING, ERROR or CRITICAL. DEBUG applies to the bot's own modules only "
        "(see LOG_UNSAFE_DEBUG).",
        validation_alias=AliasChoices("LOG_LEVEL", "log_level"),
    )
    log_format: Literal["text", "json"] = Field(
        "text", validation_alias=AliasChoices("LOG_FORMAT", "log_format")
    )
    log_unsafe_debug: bool = Field(
        False,
        description="With LOG_LEVEL=DEBUG, also let the libraries (pymongo, slack_sdk, python-telegram-bot, "
        "httpx, aiohttp) log at DEBUG. Their debug lines carry whole requests and database commands, so "
        "customers' words and contact details: off, they stay at INFO; on, the start-up line warns.",
        validation_alias=AliasChoices("LOG_UNSAFE_DEBUG", "log_unsafe_debug"),
    )
    http_header_timeout_seconds: float = Field(
        20.0,
        gt=0,
        le=600,
        description="Seconds a client has to send a whole request head (line and headers); the same limit "
        "closes idle keep-alive connections. Keep a reverse proxy's idle upstream limit below it.",
        validation_alias=AliasChoices("HTTP_HEADER_TIMEOUT_SECONDS", "http_header_timeout_seconds"),
    )
    http_body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Seconds a client has to send a whole request body once its head arrived; slower "
        "requests get 408 and the connection is closed.",
        validation_alias=AliasChoices("HTTP_BODY_TIMEOUT_SECONDS", "http_body_timeout_seconds"),
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="When set, GET /metrics needs `Authorization: Bearer <token>`. Unset, /metrics is open "
        "on the bot's port (the bundled proxy does not forward it).",
        validation_alias="METRICS_TOKEN",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies in front of the bot (e.g. [\"172.18.0.2\"]). A request "
        "from one of them is counted against the address it names in X-Forwarded-For (the last one "
        "not itself a trusted proxy); from anyone else, against its own address.",
        validation_alias=AliasChoices("TRUSTED_PROXIES", "trusted_proxies"),
    )

    mongodb_uri: SecretStr | None = Field(None, validation_alias="MONGODB_URI")
    contact_keys: SecretStr | None = Field(None, validation_alias="CONTACT_KEYS")
    mongodb_database: str = Field(
        "feedback_bot", validation_alias=AliasChoices("MONGODB_DATABASE", "mongodb_database")
    )

    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "telegram_api_base_url"),
    )
    telegram_api_file_url: str = Field(
        "https://api.telegram.org/file/bot",
        validation_alias=AliasChoices("TELEGRAM_API_FILE_URL", "telegram_api_file_url"),
    )
    telegram_webhook_secret: SecretStr | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    public_url: str | None = Field(None, validation_alias=AliasChoices("PUBLIC_URL", "public_url"))
    telegram_poll_timeout: int = Field(
        30, ge=0, le=50, validation_alias=AliasChoices("TELEGRAM_POLL_TIMEOUT", "telegram_poll_timeout")
    )
    telegram_global_rate: float = Field(
        30.0, gt=0, validation_alias=AliasChoices("TELEGRAM_GLOBAL_RATE", "telegram_global_rate")
    )
    telegram_chat_rate: float = Field(
        1.0, gt=0, validation_alias=AliasChoices("TELEGRAM_CHAT_RATE", "telegram_chat_rate")
    )
    telegram_chat_burst: int = Field(
        4, ge=1, validation_alias=AliasChoices("TELEGRAM_CHAT_BURST", "telegram_chat_burst")
    )

    company_name: str = Field("our shop", validation_alias=AliasChoices("COMPANY_NAME", "company_name"))
    privacy_notice_url: str = Field(
        "https://example.com/privacy",
        validation_alias=AliasChoices("PRIVACY_NOTICE_URL", "privacy_notice_url"),
    )
    feedback_retention_days: int = Field(
        365, ge=1, validation_alias=AliasChoices("FEEDBACK_RETENTION_DAYS", "feedback_retention_days")
    )
    ticket_retention_days: int = Field(
        730, ge=30, validation_alias=AliasChoices("TICKET_RETENTION_DAYS", "ticket_retention_days")
    )
    contact_retention_days: int = Field(
        90, ge=1, validation_alias=AliasChoices("CONTACT_RETENTION_DAYS", "contact_retention_days")
    )
    data_retention_days: int = Field(
        365, ge=1, validation_alias=AliasChoices("DATA_RETENTION_DAYS", "data_retention_days")
    )
    default_language: str = Field("en", validation_alias=AliasChoices("DEFAULT_LANGUAGE", "default_language"))
    default_questionnaire: str = Field(
        "default", validation_alias=AliasChoices("DEFAULT_QUESTIONNAIRE", "default_questionnaire")
    )
    questionnaires_dir: Path | None = Field(
        None, validation_alias=AliasChoices("QUESTIONNAIRES_DIR", "questionnaires_dir")
    )

    detection_min_confidence: float = Field(
        CONFIDENT,
        ge=0,
        le=1,
        validation_alias=AliasChoices("DETECTION_MIN_CONFIDENCE", "detection_min_confidence"),
    )
    translation_provider: Literal["none", "google", "deepl", "microsoft", "libretranslate"] = Field(
        "none", validation_alias=AliasChoices("TRANSLATION_PROVIDER", "translation_provider")
    )
    translation_api_key: SecretStr | None = Field(None, validation_alias="TRANSLATION_API_KEY")
    translation_base_url: str | None = Field(
        None, validation_alias=AliasChoices("TRANSLATION_BASE_URL", "translation_base_url")
    )
    translation_region: str | None = Field(
        None, validation_alias=AliasChoices("TRANSLATION_REGION", "translation_region")
    )
    translation_timeout_seconds: float = Field(
        5.0, gt=0, validation_alias=AliasChoices("TRANSLATION_TIMEOUT_SECONDS", "translation_timeout_seconds")
    )
    translation_rate_per_second: float = Field(
        5.0, gt=0, validation_alias=AliasChoices("TRANSLATION_RATE_PER_SECOND", "translation_rate_per_second")
    )

    whatsapp_api_base_url: str = Field(
        "https://graph.facebook.com/v21.0",
        validation_alias=AliasChoices("WHATSAPP_API_BASE_URL", "whatsapp_api_base_url"),
    )
    whatsapp_phone_number_id: str | None = Field(
        None, validation_alias=AliasChoices("WHATSAPP_PHONE_NUMBER_ID", "whatsapp_phone_number_id")
    )
    whatsapp_access_token: SecretStr | None = Field(None, validation_alias="WHATSAPP_ACCESS_TOKEN")
    whatsapp_app_secret: SecretStr | None = Field(None, validation_alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr | None = Field(None, validation_alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_templates: dict[str, str] = Field(
        default_factory=lambda: {
            "invitation": "feedback_invitation",
            "reminder": "feedback_reminder",
            "followup": "complaint_followup",
            "ticket": "complaint_update",
        },
        validation_alias=AliasChoices("WHATSAPP_TEMPLATES", "whatsapp_templates"),
    )
    whatsapp_template_languages: dict[str, str] = Field(
        default_factory=lambda: {"en": "en"},
        validation_alias=AliasChoices("WHATSAPP_TEMPLATE_LANGUAGES", "whatsapp_template_languages"),
    )

    webchat_enabled: bool = Field(True, validation_alias=AliasChoices("WEBCHAT_ENABLED", "webchat_enabled"))
    webchat_secret: SecretStr | None = Field(None, validation_alias="WEBCHAT_SECRET")
    webchat_allowed_origins: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("WEBCHAT_ALLOWED_ORIGINS", "webchat_allowed_origins"),
    )
    webchat_max_chars: int = Field(
        2000, ge=10, le=10000, validation_alias=AliasChoices("WEBCHAT_MAX_CHARS", "webchat_max_chars")
    )
    webchat_messages_per_minute: int = Field(
        20,
        ge=1,
        le=600,
        validation_alias=AliasChoices("WEBCHAT_MESSAGES_PER_MINUTE", "webchat_messages_per_minute"),
    )
    webchat_address_messages_per_minute: int = Field(
        60,
        ge=1,
        le=6000,
        description="Web chat messages per minute from one client address, over all its connections "
        "(reconnecting does not reset it).",
        validation_alias=AliasChoices(
            "WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE", "webchat_address_messages_per_minute"
        ),
    )
    webchat_total_messages_per_minute: int = Field(
        3000,
        ge=1,
        le=600000,
        description="Web chat messages per minute this worker accepts from all visitors together.",
        validation_alias=AliasChoices(
            "WEBCHAT_TOTAL_MESSAGES_PER_MINUTE", "webchat_total_messages_per_minute"
        ),
    )
    webchat_max_sockets_per_address: int = Field(
        20,
        ge=1,
        le=10000,
        description="Open web chat connections allowed from one client address; more are refused (429).",
        validation_alias=AliasChoices("WEBCHAT_MAX_SOCKETS_PER_ADDRESS", "webchat_max_sockets_per_address"),
    )
    webchat_max_sockets: int = Field(
        1000,
        ge=1,
        le=100000,
        description="Open web chat connections allowed on this worker in all; more are refused (503).",
        validation_alias=AliasChoices("WEBCHAT_MAX_SOCKETS", "webchat_max_sockets"),
    )
    webchat_visitor_ttl_hours: int = Field(
        24,
        ge=1,
        le=24 * 30,
        description="Hours after which a web chat visitor who never agreed to take part, and wrote nothing "
        "since, is forgotten: their conversation, transcript and pseudonymous ids are deleted.",
        validation_alias=AliasChoices("WEBCHAT_VISITOR_TTL_HOURS", "webchat_visitor_ttl_hours"),
    )

    quality_speeder_share: float = Field(
        0.3, gt=0, lt=1, validation_alias=AliasChoices("QUALITY_SPEEDER_SHARE", "quality_speeder_share")
    )
    quality_straight_line_min: int = Field(
        6, ge=2, validation_alias=AliasChoices("QUALITY_STRAIGHT_LINE_MIN", "quality_straight_line_min")
    )
    quality_straight_line_share: float = Field(
        0.6,
        gt=0,
        le=1,
        validation_alias=AliasChoices("QUALITY_STRAIGHT_LINE_SHARE", "quality_straight_line_share"),
    )
    quality_duplicate_window_days: int = Field(
        30,
        ge=0,
        validation_alias=AliasChoices("QUALITY_DUPLICATE_WINDOW_DAYS", "quality_duplicate_window_days"),
    )
    incomplete_after_days: int = Field(
        7, ge=1, validation_alias=AliasChoices("INCOMPLETE_AFTER_DAYS", "incomplete_after_days")
    )
    report_min_group: int = Field(
        5, ge=2, validation_alias=AliasChoices("REPORT_MIN_GROUP", "report_min_group")
    )
    report_schedule: list[Literal["weekly", "monthly"]] = Field(
        default_factory=lambda: list[Literal["weekly", "monthly"]](["weekly", "monthly"]),
        validation_alias=AliasChoices("REPORT_SCHEDULE", "report_schedule"),
    )
    slack_reports_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_REPORTS_CHANNEL", "slack_reports_channel")
    )

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field(
        "https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_BASE_URL", "slack_api_base_url")
    )
    slack_default_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_DEFAULT_CHANNEL", "slack_default_channel")
    )
    slack_escalation_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_ESCALATION_CHANNEL", "slack_escalation_channel")
    )
    slack_suggestions_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_SUGGESTIONS_CHANNEL", "slack_suggestions_channel")
    )
    slack_agent_users: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("SLACK_AGENT_USERS", "slack_agent_users")
    )
    shop_api_key: SecretStr | None = Field(None, validation_alias="SHOP_API_KEY")
    telegram_bot_username: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME", "telegram_bot_username")
    )
    reminder_count: int = Field(
        1, ge=0, le=3, validation_alias=AliasChoices("REMINDER_COUNT", "reminder_count")
    )
    reminder_delay_hours: float = Field(
        24.0, gt=0, validation_alias=AliasChoices("REMINDER_DELAY_HOURS", "reminder_delay_hours")
    )
    quiet_hours: str = Field("21:00-09:00", validation_alias=AliasChoices("QUIET_HOURS", "quiet_hours"))
    customer_timezone: str = Field(
        "UTC", validation_alias=AliasChoices("CUSTOMER_TIMEZONE", "customer_timezone")
    )
    admin_telegram_ids: list[int] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_TELEGRAM_IDS", "admin_telegram_ids")
    )
    admin_slack_users: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_SLACK_USERS", "admin_slack_users")
    )
    questionnaire_max_minutes: int = Field(
        5,
        ge=1,
        le=60,
        validation_alias=AliasChoices("QUESTIONNAIRE_MAX_MINUTES", "questionnaire_max_minutes"),
    )
    agent_language: str = Field("en", validation_alias=AliasChoices("AGENT_LANGUAGE", "agent_language"))

    complaint_order_pattern: str = Field(
        r"[A-Za-z0-9][A-Za-z0-9-]{3,31}",
        validation_alias=AliasChoices("COMPLAINT_ORDER_PATTERN", "complaint_order_pattern"),
    )
    complaint_order_example: str = Field(
        "A1234-5678", validation_alias=AliasChoices("COMPLAINT_ORDER_EXAMPLE", "complaint_order_example")
    )
    teams: dict[str, TeamSettings] = Field(
        default_factory=lambda: {"support": TeamSettings()}, validation_alias=AliasChoices("TEAMS", "teams")
    )
    routing: dict[str, str] = Field(default_factory=dict, validation_alias=AliasChoices("ROUTING", "routing"))
    default_team: str = Field("support", validation_alias=AliasChoices("DEFAULT_TEAM", "default_team"))
    sla_counting: Literal["calendar", "working_days", "working_hours"] = Field(
        "working_days", validation_alias=AliasChoices("SLA_COUNTING", "sla_counting")
    )
    sla_first_contact_hours: float = Field(
        48.0, gt=0, validation_alias=AliasChoices("SLA_FIRST_CONTACT_HOURS", "sla_first_contact_hours")
    )
    sla_resolution_hours: float = Field(
        72.0, gt=0, validation_alias=AliasChoices("SLA_RESOLUTION_HOURS", "sla_resolution_hours")
    )
    sla_reminder_share: float = Field(
        0.75, gt=0, lt=1, validation_alias=AliasChoices("SLA_REMINDER_SHARE", "sla_reminder_share")
    )
    followup_working_days: int = Field(
        3, ge=3, le=7, validation_alias=AliasChoices("FOLLOWUP_WORKING_DAYS", "followup_working_days")
    )
    urgent_words: list[str] | None = Field(
        None, validation_alias=AliasChoices("URGENT_WORDS", "urgent_words")
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"{value!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("webchat_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            scheme, _, rest = origin.partition("://")
            if scheme not in {"http", "https"} or not rest or "/" in rest:
                raise ValueError(f"{origin!r}: write an origin like https://shop.example (no path)")
        return [origin.lower() for origin in value]

    @field_validator("whatsapp_templates")
    @classmethod
    def _known_purposes(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(PURPOSES)
        if unknown:
            raise ValueError(f"unknown {sorted(unknown)}: use invitation, reminder, followup, ticket")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlFileSource(settings_cls))

    @property
    def telegram_webhook_mode(self) -> bool:
        return bool(self.public_url)


class SettingsError(ValueError):
    """A settings file or value that cannot be used."""


class TomlFileSource(PydanticBaseSettingsSource):
    """Non-secret settings from `FEEDBACK_BOT_CONFIG` (default ./feedback-bot.toml, if present)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._values = self._read()

    @staticmethod
    def _read() -> dict[str, Any]:
        named = os.environ.get(CONFIG_FILE_ENV)
        path = Path(named) if named else DEFAULT_CONFIG_FILE
        if not path.is_file():
            if named:
                raise SettingsError(f"{CONFIG_FILE_ENV}={named}: no such file")
            return {}
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingsError(f"{path}: {error}") from None
        secrets = sorted(k for k in values if k.upper() in SECRETS)
        if secrets:
            raise SettingsError(f"{path}: {', '.join(secrets)} may only be set in the environment")
        unknown = sorted(k for k in values if k.upper() not in _setting_names())
        if unknown:
            raise SettingsError(f"{path}: unknown settings {', '.join(unknown)} (names as in the README)")
        return {key.lower(): value for key, value in values.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def _setting_names() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        names.update(str(choice).upper() for choice in choices if isinstance(choice, str))
    return names


def load_settings(**overrides: Any) -> Settings:
    settings = Settings(**overrides)
    if settings.public_url and settings.telegram_bot_token and not settings.telegram_webhook_secret:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET is required when PUBLIC_URL enables the Telegram webhook"
        )
    return settings
