"""What a failed `feedback-bot` command prints: one line an operator can act on, and its exit status."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import TextIO

from pydantic import ValidationError
from pymongo.errors import PyMongoError

from bot.settings import SettingsError
from core.questionnaire import QuestionnaireError
from storage.data_lock import DataFolderBusy
from storage.embedded import EmbeddedMongoError
from storage.migrate import MigrationError
from storage.mongo import DatabaseUnreachable
from storage.mongo_uri import InvalidMongoUri
from storage.requirements_check import UnsuitableServerError

log = logging.getLogger("bot.cli")

EXIT_FAILED = 1  # the command could not do its work: fix the environment and run it again
EXIT_USAGE = 2  # bad arguments or settings: fix the command line or the configuration


class UsageError(ValueError):
    """Arguments argparse accepts one by one but that do not make sense together (or with the data)."""


def describe(error: BaseException) -> tuple[str, int] | None:
    """The one line and exit status for an error an operator can fix; None for a bug (traceback)."""
    if isinstance(error, UsageError | QuestionnaireError | SettingsError | InvalidMongoUri):
        return str(error), EXIT_USAGE
    operational = DataFolderBusy | DatabaseUnreachable | EmbeddedMongoError | MigrationError
    if isinstance(error, operational | UnsuitableServerError):
        return str(error), EXIT_FAILED
    if isinstance(error, PyMongoError):
        # MongoDB went away while the command worked; pymongo's text can run to a topology dump.
        return f"MongoDB failed: {type(error).__name__}: {str(error).splitlines()[0][:300]}", EXIT_FAILED
    return None


def settings_problems(error: ValidationError) -> str:
    """pydantic's multi-line report as one line: `NAME: problem; NAME: problem`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']).upper() or 'settings'}: {problem['msg']}"
        for problem in error.errors()
    )


def fatal(message: str, *, stream: TextIO, json_format: bool, logging_ready: bool) -> None:
    """One line on stderr; with LOG_FORMAT=json one JSON object, through the log when it is set up
    (its filter masks configured secrets)."""
    if json_format and logging_ready:
        log.critical(message)
    elif json_format:
        # Settings could not be read, so logging is not set up; LOG_FORMAT is read straight from the env.
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "CRITICAL",
            "logger": log.name,
            "message": message,
        }
        stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
    else:
        stream.write(f"feedback-bot: {message}\n")
    stream.flush()


def json_wanted() -> bool:
    return os.environ.get("LOG_FORMAT", "").strip().lower() == "json"
