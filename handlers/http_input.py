"""Reading what an HTTP client sent without trusting it: credential headers, bodies, JSON.

Anyone can reach the webhooks, so every way a request can be unreadable must end in a short 4xx,
never in an exception (a 500 with a traceback per request is a cheap way to flood the logs).
Refusals are logged through `RefusalLog`: one short WARNING line per kind, at most once a minute.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

# Names of UTF-8 (and its ASCII subset) a client may put in `Content-Type: …; charset=`.
UTF8_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
REFUSAL_LOG_INTERVAL = 60.0


class BadRequest(Exception):
    """The request cannot be read. `reason` is a fixed, short text: safe to answer and to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def header_bytes(request: web.Request, name: str) -> bytes:
    """A header's value as the bytes the client sent.

    aiohttp decodes header bytes as UTF-8 with `surrogateescape`, so a byte such as 0xff comes back as a
    lone surrogate that a plain `.encode()` refuses (that was a 500 before the credential check).
    Credentials are compared as bytes instead.
    """
    return request.headers.get(name, "").encode("utf-8", "surrogateescape")


def body_text(raw: bytes, charset: str | None) -> str:
    """The body as text: UTF-8 only, which is what every platform and the shop API send."""
    if charset is not None and charset.strip().lower() not in UTF8_CHARSETS:
        raise BadRequest("unsupported charset: send UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None


def parse_json(text: str | bytes) -> Any:
    """`json.loads`, with every way it can fail on hostile input turned into `BadRequest`."""
    try:
        return json.loads(text)
    except RecursionError:  # thousands of nested brackets exhaust the parser's stack
        raise BadRequest("JSON nested too deeply") from None
    except json.JSONDecodeError:
        raise BadRequest("the body is not JSON") from None
    except ValueError:  # Python refuses integers longer than 4,300 digits (a CPU-cost guard)
        raise BadRequest("a number in the body is too long") from None


class RefusalLog:
    """Logs each kind of refusal at most once per `interval`, with how many were not logged since.

    `what` must be a fixed text from the code, never something the client sent: the number of
    kinds stays small, and nothing a client writes reaches the log.
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = REFUSAL_LOG_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._clock = clock
        self._state: dict[str, tuple[float, int]] = {}

    def warn(self, what: str) -> None:
        now = self._clock()
        last = self._state.get(what)
        if last is not None and now - last[0] < self._interval:
            self._state[what] = (last[0], last[1] + 1)
            return
        suppressed = last[1] if last is not None else 0
        if suppressed:
            self._logger.warning("%s (and %d more since the last such line)", what, suppressed)
        else:
            self._logger.warning("%s", what)
        self._state[what] = (now, 0)
