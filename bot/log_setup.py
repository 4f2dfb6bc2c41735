"""Logging for operators: text or one JSON object per line, with every configured secret masked."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

from bot.settings import SECRETS, Settings

MASK = "[secret]"
# Our own packages: they never log customers' words or contact details, at any level.
OWN_LOGGERS = ("bot", "handlers", "conversations", "storage", "locales")
# Libraries whose levels configure() sets itself (restored when it runs again, e.g. in tests).
QUIETED = {"httpx": logging.WARNING, "slack_bolt": logging.ERROR}
log = logging.getLogger("bot.log_setup")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class SecretMask(logging.Filter):
    """Replaces secret values wherever they appear (a library logging a URL with a token in it)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole; short values would mask noise.
        self._secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        masked = message
        for secret in self._secrets:
            masked = masked.replace(secret, MASK)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def secret_values(settings: Settings) -> list[str]:
    values = []
    for name, field in Settings.model_fields.items():
        alias = str(field.validation_alias or "")
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value") and (alias in SECRETS or name.upper() in SECRETS):
            values.append(str(value.get_secret_value()))
    return values


def configure(settings: Settings, stream: TextIO) -> None:
    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretMask(secret_values(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.getLevelNamesMapping()[settings.log_level]  # checked by the settings model
    unsafe = level <= logging.DEBUG and settings.log_unsafe_debug
    # Libraries' DEBUG lines carry whole requests and database commands (pymongo's command log,
    # slack_sdk's and python-telegram-bot's request logs, urllib3's translation URLs): customers'
    # words and contact details. Masking them line by line cannot be complete, so by default DEBUG
    # applies to our own modules only, and the libraries stay at INFO.
    root.setLevel(level if unsafe or level > logging.DEBUG else logging.INFO)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.NOTSET)
    for name, quiet in QUIETED.items():
        # httpx logs every request URL, and Telegram URLs contain the bot token (masked anyway);
        # bolt logs whole request bodies it has no listener for, which may carry what agents typed.
        logging.getLogger(name).setLevel(logging.NOTSET if unsafe else quiet)
    if unsafe:
        log.warning(
            "LOG_UNSAFE_DEBUG=true: libraries log at DEBUG, and their lines contain customers' words "
            "and contact details; use it for a short diagnosis only, and delete those logs after"
        )
    elif level <= logging.DEBUG:
        log.info(
            "LOG_LEVEL=DEBUG applies to the bot's own modules; libraries stay at INFO because their "
            "debug lines contain customers' words (LOG_UNSAFE_DEBUG=true lifts this)"
        )
