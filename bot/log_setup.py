"""Logging for operators: text or one JSON object per line, with every configured secret masked."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

from bot.settings import SECRETS, Settings

MASK = "[secret]"


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
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL, and Telegram URLs contain the bot token (masked anyway).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # bolt logs whole request bodies it has no listener for; those may carry what agents typed.
    logging.getLogger("slack_bolt").setLevel(logging.ERROR)
