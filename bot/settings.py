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
from conversations.language import parse_fallbacks
from core.events import PURPOSES
from locales.catalog import catalogs

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
        extra="ignore",
        populate_by_name=False,
        frozen=True,
        env_ignore_empty=True,
        # Each field's docstring is its description: docs/settings.md is generated from them.
        use_attribute_docstrings=True,
    )

    host: str = Field("127.0.0.1", validation_alias=AliasChoices("FEEDBACK_BOT_HOST", "feedback_bot_host"))
    """Address the HTTP server listens on."""
    port: int = Field(
        8080, ge=0, le=65535, validation_alias=AliasChoices("FEEDBACK_BOT_PORT", "feedback_bot_port")
    )
    """Its port (`0`: any free port)."""
    data_dir: Path = Field(
        Path("data"), validation_alias=AliasChoices("FEEDBACK_BOT_DATA_DIR", "feedback_bot_data_dir")
    )
    """The data folder: the embedded database's files (`<dir>/mongo/`) and, unless set in the environment,
    the contact key and the web chat secret.
    """
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    """`DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`. Logs never contain message text or contact
    details: `DEBUG` applies to the bot's own modules only (see `LOG_UNSAFE_DEBUG`).
    """
    log_format: Literal["text", "json"] = Field(
        "text", validation_alias=AliasChoices("LOG_FORMAT", "log_format")
    )
    """`json`: one JSON object per line (`time`, `level`, `logger`, `message`, `error`) for log collectors;
    in both formats the value of every secret setting is replaced by `[secret]` wherever it appears.
    """
    log_unsafe_debug: bool = Field(
        False, validation_alias=AliasChoices("LOG_UNSAFE_DEBUG", "log_unsafe_debug")
    )
    """With `LOG_LEVEL=DEBUG`, also let the libraries (pymongo, slack_sdk, python-telegram-bot, httpx,
    aiohttp) log at DEBUG. Their debug lines carry whole requests and database commands, so customers'
    words and contact details: for a short diagnosis only; the start-up log warns.
    """
    http_header_timeout_seconds: float = Field(
        20.0,
        gt=0,
        le=600,
        validation_alias=AliasChoices("HTTP_HEADER_TIMEOUT_SECONDS", "http_header_timeout_seconds"),
    )
    """Seconds a client has to send a whole request head (line and headers); the same limit closes idle
    keep-alive connections, so keep a reverse proxy's idle upstream limit below it.
    """
    http_body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        le=600,
        validation_alias=AliasChoices("HTTP_BODY_TIMEOUT_SECONDS", "http_body_timeout_seconds"),
    )
    """Seconds a client has to send a whole request body once its head arrived; slower requests get 408
    and the connection is closed.
    """
    metrics_token: SecretStr | None = Field(None, validation_alias="METRICS_TOKEN")
    """Set: `GET /metrics` needs `Authorization: Bearer <token>`. Unset: `/metrics` is open on the bot's
    port (the bundled proxy does not forward it). See [security](security.md).
    """
    trusted_proxies: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("TRUSTED_PROXIES", "trusted_proxies")
    )
    """Addresses of reverse proxies in front of the bot (e.g. `["172.18.0.2"]`). A request from one of
    them counts against the right-most `X-Forwarded-For` address that is not itself a trusted proxy;
    from anyone else, against its own address (the web chat's limits).
    """

    mongodb_uri: SecretStr | None = Field(None, validation_alias="MONGODB_URI")
    """A MongoDB server, replica set or managed cluster (`mongodb://…` or `mongodb+srv://…`); unset: the
    embedded server in the data folder. See [production](production.md#mongodb-requirements).
    """
    contact_keys: SecretStr | None = Field(None, validation_alias="CONTACT_KEYS")
    """Keys that encrypt contact details at rest: `<id>:<base64 of 32 random bytes>`, comma-separated; the
    first encrypts, all decrypt. Unset: a key generated once into `<data folder>/contact.key` (see
    [privacy](privacy.md#contact-details-at-rest)).
    """
    mongodb_database: str = Field(
        "feedback_bot", validation_alias=AliasChoices("MONGODB_DATABASE", "mongodb_database")
    )
    """Database name."""

    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    """Enables Telegram (from @BotFather); unset: the terminal chat."""
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "telegram_api_base_url"),
    )
    """python-telegram-bot's `base_url` (the token is appended): a self-hosted Bot API server."""
    telegram_api_file_url: str = Field(
        "https://api.telegram.org/file/bot",
        validation_alias=AliasChoices("TELEGRAM_API_FILE_URL", "telegram_api_file_url"),
    )
    """Where files sent to the bot are downloaded from (admins' YAML files)."""
    telegram_webhook_secret: SecretStr | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    """Required with `PUBLIC_URL` when Telegram is on; checked against `X-Telegram-Bot-Api-Secret-Token`."""
    public_url: str | None = Field(None, validation_alias=AliasChoices("PUBLIC_URL", "public_url"))
    """Set: webhook mode, Telegram posts to `PUBLIC_URL/webhooks/telegram`; unset: long polling."""
    telegram_poll_timeout: int = Field(
        30, ge=0, le=50, validation_alias=AliasChoices("TELEGRAM_POLL_TIMEOUT", "telegram_poll_timeout")
    )
    """Long-polling timeout, seconds."""
    telegram_global_rate: float = Field(
        30.0, gt=0, validation_alias=AliasChoices("TELEGRAM_GLOBAL_RATE", "telegram_global_rate")
    )
    """Messages per second to Telegram, all chats together."""
    telegram_chat_rate: float = Field(
        1.0, gt=0, validation_alias=AliasChoices("TELEGRAM_CHAT_RATE", "telegram_chat_rate")
    )
    """Sustained messages per second to one chat."""
    telegram_chat_burst: int = Field(
        4, ge=1, validation_alias=AliasChoices("TELEGRAM_CHAT_BURST", "telegram_chat_burst")
    )
    """Messages one chat may receive at once before the rate applies."""
    telegram_answered_question: Literal["edit", "new", "separate"] = Field(
        "edit",
        validation_alias=AliasChoices("TELEGRAM_ANSWERED_QUESTION", "telegram_answered_question"),
    )
    """How a question answered with a button stays in the chat. `edit`: its message becomes "✓ answer"
    and the next question (one call per answer); `new`: one new message with "✓ answer" and the next
    question, the old buttons stay (a tap on them is answered "already answered"); `separate`: the
    question is edited to show "✓ answer" under it and the next comes as a new message (two calls)."""

    company_name: str | None = Field(None, validation_alias=AliasChoices("COMPANY_NAME", "company_name"))
    """Who is asking, in the consent text and invitations; unset: "our shop" in the customer's language."""
    privacy_notice_url: str = Field(
        "https://example.com/privacy",
        validation_alias=AliasChoices("PRIVACY_NOTICE_URL", "privacy_notice_url"),
    )
    """Link in the consent text (must be your real notice)."""
    feedback_retention_days: int = Field(
        365, ge=1, validation_alias=AliasChoices("FEEDBACK_RETENTION_DAYS", "feedback_retention_days")
    )
    """Suggestions and praise are erased this long after they arrived."""
    ticket_retention_days: int = Field(
        730, ge=30, validation_alias=AliasChoices("TICKET_RETENTION_DAYS", "ticket_retention_days")
    )
    """Closed tickets lose the customer's words, order and link this long after closing (category, team and
    times stay for statistics; the Slack message is redrawn, quoted lines blanked). Kept without an end:
    the consent ledger (unlinkable once the customer is erased). Inbox 7 days, translation cache and web
    chat transcripts 30 days, finished jobs 30 days.
    """
    contact_retention_days: int = Field(
        90, ge=1, validation_alias=AliasChoices("CONTACT_RETENTION_DAYS", "contact_retention_days")
    )
    """Contact details are erased this long after their ticket closed."""
    data_retention_days: int = Field(
        365, ge=1, validation_alias=AliasChoices("DATA_RETENTION_DAYS", "data_retention_days")
    )
    """Answers are erased this long after they were started (checked every 6 h)."""
    default_language: str = Field("en", validation_alias=AliasChoices("DEFAULT_LANGUAGE", "default_language"))
    """Language when nothing else tells."""
    fallback_languages: str = Field(
        "", validation_alias=AliasChoices("FALLBACK_LANGUAGES", "fallback_languages")
    )
    """For a customer whose language the shop does not serve, the served language to use instead, e.g.
    `uk=ru,be=ru` (only if the shop chooses it); any other unserved language gets `DEFAULT_LANGUAGE`.
    Either way a short note tells the customer (in their language when a translation provider is set)."""
    default_questionnaire: str = Field(
        "default", validation_alias=AliasChoices("DEFAULT_QUESTIONNAIRE", "default_questionnaire")
    )
    """Questionnaire for `/start` without a payload."""
    questionnaires_dir: Path | None = Field(
        None, validation_alias=AliasChoices("QUESTIONNAIRES_DIR", "questionnaires_dir")
    )
    """Folder of additional questionnaire YAML files."""

    detection_min_confidence: float = Field(
        CONFIDENT,
        ge=0,
        le=1,
        validation_alias=AliasChoices("DETECTION_MIN_CONFIDENCE", "detection_min_confidence"),
    )
    """Below this, a language detected on the customer's text is ignored."""
    translation_provider: Literal["none", "google", "deepl", "microsoft", "libretranslate"] = Field(
        "none", validation_alias=AliasChoices("TRANSLATION_PROVIDER", "translation_provider")
    )
    """`google` (free endpoint), `deepl`, `microsoft`, `libretranslate` (self-hosted) or `none`."""
    translation_api_key: SecretStr | None = Field(None, validation_alias="TRANSLATION_API_KEY")
    """DeepL / Microsoft / LibreTranslate key."""
    translation_base_url: str | None = Field(
        None, validation_alias=AliasChoices("TRANSLATION_BASE_URL", "translation_base_url")
    )
    """LibreTranslate server URL."""
    translation_region: str | None = Field(
        None, validation_alias=AliasChoices("TRANSLATION_REGION", "translation_region")
    )
    """Microsoft Translator region."""
    translation_timeout_seconds: float = Field(
        5.0, gt=0, validation_alias=AliasChoices("TRANSLATION_TIMEOUT_SECONDS", "translation_timeout_seconds")
    )
    """A translation taking longer is abandoned: the original is shown with a note."""
    translation_rate_per_second: float = Field(
        5.0, gt=0, validation_alias=AliasChoices("TRANSLATION_RATE_PER_SECOND", "translation_rate_per_second")
    )
    """Calls per second to the provider."""

    whatsapp_api_base_url: str = Field(
        "https://graph.facebook.com/v21.0",
        validation_alias=AliasChoices("WHATSAPP_API_BASE_URL", "whatsapp_api_base_url"),
    )
    """The Graph API."""
    whatsapp_phone_number_id: str | None = Field(
        None, validation_alias=AliasChoices("WHATSAPP_PHONE_NUMBER_ID", "whatsapp_phone_number_id")
    )
    """With the three WhatsApp secrets: enables WhatsApp (Cloud API)."""
    whatsapp_access_token: SecretStr | None = Field(None, validation_alias="WHATSAPP_ACCESS_TOKEN")
    """Graph API token (a System User's permanent token)."""
    whatsapp_app_secret: SecretStr | None = Field(None, validation_alias="WHATSAPP_APP_SECRET")
    """The Meta app's secret: every webhook call's `X-Hub-Signature-256` is checked against it."""
    whatsapp_verify_token: SecretStr | None = Field(None, validation_alias="WHATSAPP_VERIFY_TOKEN")
    """Webhook verify token: any string you also enter in Meta's webhook configuration."""
    whatsapp_templates: dict[str, str] = Field(
        default_factory=lambda: {
            "invitation": "feedback_invitation",
            "reminder": "feedback_reminder",
            "followup": "complaint_followup",
            "ticket": "complaint_update",
        },
        validation_alias=AliasChoices("WHATSAPP_TEMPLATES", "whatsapp_templates"),
    )
    """Purpose (`invitation`, `reminder`, `followup`, `ticket`) → approved template name (JSON in the
    environment); a purpose left out is held outside the 24-hour window.
    """
    whatsapp_template_languages: dict[str, str] = Field(
        default_factory=lambda: {"en": "en"},
        validation_alias=AliasChoices("WHATSAPP_TEMPLATE_LANGUAGES", "whatsapp_template_languages"),
    )
    """The bot's language code → the template language code at Meta, for the languages your templates are
    approved in.
    """

    webchat_enabled: bool = Field(True, validation_alias=AliasChoices("WEBCHAT_ENABLED", "webchat_enabled"))
    """Serve the web chat at `/chat`."""
    webchat_secret: SecretStr | None = Field(None, validation_alias="WEBCHAT_SECRET")
    """Signs browsers' chat tokens; set it when several workers serve the bot. Unset: a random one kept in
    the data folder.
    """
    webchat_allowed_origins: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("WEBCHAT_ALLOWED_ORIGINS", "webchat_allowed_origins"),
    )
    """Sites that may embed the chat (`["https://shop.example"]`), besides the bot's own address."""
    webchat_max_chars: int = Field(
        2000, ge=10, le=10000, validation_alias=AliasChoices("WEBCHAT_MAX_CHARS", "webchat_max_chars")
    )
    """Longest message a browser may send."""
    webchat_logo_url: str | None = Field(
        None, validation_alias=AliasChoices("WEBCHAT_LOGO_URL", "webchat_logo_url")
    )
    """The shop's logo in the chat's header: an https:// (or http://) address, or a path on the bot's site.
    The header shows `COMPANY_NAME` beside it (left at its default, the localized word "Feedback").
    """
    webchat_messages_per_minute: int = Field(
        20,
        ge=1,
        le=600,
        validation_alias=AliasChoices("WEBCHAT_MESSAGES_PER_MINUTE", "webchat_messages_per_minute"),
    )
    """Per connection; more are refused with a "slow down" error."""
    webchat_address_messages_per_minute: int = Field(
        60,
        ge=1,
        le=6000,
        validation_alias=AliasChoices(
            "WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE", "webchat_address_messages_per_minute"
        ),
    )
    """Per client address, over all its connections (reconnecting does not reset it)."""
    webchat_total_messages_per_minute: int = Field(
        3000,
        ge=1,
        le=600000,
        validation_alias=AliasChoices(
            "WEBCHAT_TOTAL_MESSAGES_PER_MINUTE", "webchat_total_messages_per_minute"
        ),
    )
    """Per worker, from all web chat visitors together."""
    webchat_max_sockets_per_address: int = Field(
        20,
        ge=1,
        le=10000,
        validation_alias=AliasChoices("WEBCHAT_MAX_SOCKETS_PER_ADDRESS", "webchat_max_sockets_per_address"),
    )
    """Open web chat connections from one client address; more are refused (429)."""
    webchat_max_sockets: int = Field(
        1000,
        ge=1,
        le=100000,
        validation_alias=AliasChoices("WEBCHAT_MAX_SOCKETS", "webchat_max_sockets"),
    )
    """Open web chat connections on this worker; more are refused (503)."""
    webchat_visitor_ttl_hours: int = Field(
        24,
        ge=1,
        le=24 * 30,
        validation_alias=AliasChoices("WEBCHAT_VISITOR_TTL_HOURS", "webchat_visitor_ttl_hours"),
    )
    """Hours after which a web chat visitor who never recorded a consent decision (nor answers, feedback,
    a ticket or contact details), and wrote nothing since, is forgotten: conversation, transcript and
    pseudonymous ids are deleted.
    """

    quality_speeder_share: float = Field(
        0.3, gt=0, lt=1, validation_alias=AliasChoices("QUALITY_SPEEDER_SHARE", "quality_speeder_share")
    )
    """"Too fast": less than this share of the normal answering time."""
    quality_straight_line_min: int = Field(
        6, ge=2, validation_alias=AliasChoices("QUALITY_STRAIGHT_LINE_MIN", "quality_straight_line_min")
    )
    """"Same answer everywhere, hurried": at least this many identical 1–5 answers …"""
    quality_straight_line_share: float = Field(
        0.6,
        gt=0,
        le=1,
        validation_alias=AliasChoices("QUALITY_STRAIGHT_LINE_SHARE", "quality_straight_line_share"),
    )
    """… and under this share of the normal time."""
    quality_duplicate_window_days: int = Field(
        30,
        ge=0,
        validation_alias=AliasChoices("QUALITY_DUPLICATE_WINDOW_DAYS", "quality_duplicate_window_days"),
    )
    """Without an order number, a repeat within this many days is a duplicate."""
    incomplete_after_days: int = Field(
        7, ge=1, validation_alias=AliasChoices("INCOMPLETE_AFTER_DAYS", "incomplete_after_days")
    )
    """A survey untouched this long counts as incomplete."""
    report_min_group: int = Field(
        5, ge=2, validation_alias=AliasChoices("REPORT_MIN_GROUP", "report_min_group")
    )
    """Smallest group a report shows."""
    report_schedule: list[Literal["weekly", "monthly"]] = Field(
        default_factory=lambda: list[Literal["weekly", "monthly"]](["weekly", "monthly"]),
        validation_alias=AliasChoices("REPORT_SCHEDULE", "report_schedule"),
    )
    """Which reports are posted to Slack (`[]`: none)."""
    slack_reports_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_REPORTS_CHANNEL", "slack_reports_channel")
    )
    """Where the scheduled reports are posted; unset: the default channel."""
    report_approvers: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("REPORT_APPROVERS", "report_approvers")
    )
    """Slack user ids who approve scheduled reports (JSON list in the environment). Set: each report is
    posted with its suggested actions and **Approve** / **Request changes** buttons, and approving turns
    the actions into improvement tasks ([admins](admins.md#approval-and-improvement-tasks)); others
    pressing get a refusal. Unset: reports are posted without buttons.
    """

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    """The agents' Slack app (`xoxb-…`); unset: tickets wait in the database."""
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    """Verifies requests from Slack at `/slack/events`."""
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    """Socket Mode app-level token (`xapp-…`), for installations without a public URL."""
    slack_api_base_url: str = Field(
        "https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_BASE_URL", "slack_api_base_url")
    )
    """The Slack Web API."""
    slack_default_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_DEFAULT_CHANNEL", "slack_default_channel")
    )
    """Channel id for teams without their own channel; required for the Slack desk."""
    slack_escalation_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_ESCALATION_CHANNEL", "slack_escalation_channel")
    )
    """Urgent tickets and missed deadlines; unset: the default channel."""
    slack_suggestions_channel: str | None = Field(
        None, validation_alias=AliasChoices("SLACK_SUGGESTIONS_CHANNEL", "slack_suggestions_channel")
    )
    """Suggestions customers send; unset: the default channel."""
    slack_agent_users: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("SLACK_AGENT_USERS", "slack_agent_users")
    )
    """Slack user ids allowed to act on tickets besides members of the agents' channels (JSON list in the
    environment).
    """
    shop_api_key: SecretStr | None = Field(None, validation_alias="SHOP_API_KEY")
    """Enables `POST /api/v1/invitations` (`Authorization: Bearer <key>`)."""
    telegram_bot_username: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME", "telegram_bot_username")
    )
    """The bot's @name without `@`: invitation deep links (`https://t.me/<name>?start=…`) made without a
    running Telegram connection (`feedback-bot invite`); unset: the running bot asks Telegram.
    """
    reminder_count: int = Field(
        1, ge=0, le=3, validation_alias=AliasChoices("REMINDER_COUNT", "reminder_count")
    )
    """Reminders for a survey started and left unfinished."""
    reminder_delay_hours: float = Field(
        24.0, gt=0, validation_alias=AliasChoices("REMINDER_DELAY_HOURS", "reminder_delay_hours")
    )
    """After the start, and between reminders."""
    quiet_hours: str = Field("21:00-09:00", validation_alias=AliasChoices("QUIET_HOURS", "quiet_hours"))
    """No invitation or reminder goes out then, in the customer's time zone (`none` to switch off)."""
    customer_timezone: str = Field(
        "UTC", validation_alias=AliasChoices("CUSTOMER_TIMEZONE", "customer_timezone")
    )
    """The customer's zone when the invitation does not give one."""
    admin_telegram_ids: list[int] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_TELEGRAM_IDS", "admin_telegram_ids")
    )
    """Telegram user ids of admins (JSON list in the environment); the terminal chat is always an admin. How
    to find yours: [production](production.md#your-telegram-user-id).
    """
    admin_slack_users: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("ADMIN_SLACK_USERS", "admin_slack_users")
    )
    """Slack user ids allowed to use `/feedback-admin` (JSON list in the environment)."""
    questionnaire_max_minutes: int = Field(
        5,
        ge=1,
        le=60,
        validation_alias=AliasChoices("QUESTIONNAIRE_MAX_MINUTES", "questionnaire_max_minutes"),
    )
    """Lint flags questionnaires estimated to take longer."""
    survey_languages: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("SURVEY_LANGUAGES", "survey_languages")
    )
    """The languages the shop serves (JSON list, e.g. `["en", "de"]`): lint and the questionnaire builder
    ask for texts in these, and machine translation drafts them; empty: every shipped language."""
    agent_language: str = Field("en", validation_alias=AliasChoices("AGENT_LANGUAGE", "agent_language"))
    """The language customers' words are translated into for agents."""

    complaint_order_pattern: str = Field(
        r"[A-Za-z0-9][A-Za-z0-9-]{3,31}",
        validation_alias=AliasChoices("COMPLAINT_ORDER_PATTERN", "complaint_order_pattern"),
    )
    """A regular expression the whole order number must match."""
    complaint_order_example: str = Field(
        "A1234-5678", validation_alias=AliasChoices("COMPLAINT_ORDER_EXAMPLE", "complaint_order_example")
    )
    """Shown when an order number is refused; must match the pattern."""
    teams: dict[str, TeamSettings] = Field(
        default_factory=lambda: {"support": TeamSettings()}, validation_alias=AliasChoices("TEAMS", "teams")
    )
    """Table of teams: `channel`, `timezone`, `workdays` (Monday = 0), `opens`, `closes`, `holidays` (JSON in
    the environment; example below).
    """
    routing: dict[str, str] = Field(default_factory=dict, validation_alias=AliasChoices("ROUTING", "routing"))
    """Complaint category → team name; unrouted categories go to `DEFAULT_TEAM`."""
    default_team: str = Field("support", validation_alias=AliasChoices("DEFAULT_TEAM", "default_team"))
    """Must be one of `TEAMS`."""
    sla_counting: Literal["calendar", "working_days", "working_hours"] = Field(
        "working_days", validation_alias=AliasChoices("SLA_COUNTING", "sla_counting")
    )
    """`working_days` (hours on the team's working days count), `working_hours` (only opening hours count) or
    `calendar` (see [agents](agents.md#deadlines)).
    """
    sla_first_contact_hours: float = Field(
        48.0, gt=0, validation_alias=AliasChoices("SLA_FIRST_CONTACT_HOURS", "sla_first_contact_hours")
    )
    """First contact with the customer within this."""
    sla_resolution_hours: float = Field(
        72.0, gt=0, validation_alias=AliasChoices("SLA_RESOLUTION_HOURS", "sla_resolution_hours")
    )
    """A result within this."""
    sla_reminder_share: float = Field(
        0.75, gt=0, lt=1, validation_alias=AliasChoices("SLA_REMINDER_SHARE", "sla_reminder_share")
    )
    """The thread reminder comes at this share of a deadline."""
    followup_working_days: int = Field(
        3, ge=3, le=7, validation_alias=AliasChoices("FOLLOWUP_WORKING_DAYS", "followup_working_days")
    )
    """Working days after closing before the follow-up."""
    urgent_words: list[str] | None = Field(
        None, validation_alias=AliasChoices("URGENT_WORDS", "urgent_words")
    )
    """Words that make a complaint urgent (whole words, any case), in the customer's words and their
    translation for agents. Unset: a built-in English list, plus each shipped language's own list
    (`urgent.words` in `locales/*.po`), so "Anwalt" is urgent without a translation provider."""

    @field_validator("fallback_languages")
    @classmethod
    def _fallbacks(cls, value: str) -> str:
        parse_fallbacks(value)  # a malformed entry is named at start-up; served targets are checked then
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"{value!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("webchat_logo_url")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        if value is None or (value.startswith("/") and not value.startswith("//")):
            return value
        scheme, _, rest = value.partition("://")
        if scheme.lower() not in {"http", "https"} or not rest or any(c in value for c in " \"'<>"):
            raise ValueError(f"{value!r}: write an https:// address or a path like /static/logo.svg")
        return value

    @field_validator("survey_languages")
    @classmethod
    def _shipped_languages(cls, value: list[str]) -> list[str]:
        shipped = catalogs().languages
        unknown = [code for code in value if code not in shipped]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not shipped (shipped: {', '.join(shipped)})")
        return list(dict.fromkeys(value))

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
            raise SettingsError(f"{path}: unknown settings {', '.join(unknown)} (see docs/settings.md)")
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
