"""The HTTP API for the shop's systems: `/api/v1/…`, authenticated with `SHOP_API_KEY`."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from pydantic import ValidationError
from pymongo.errors import PyMongoError

from conversations.dialogues.invitations import InvitationError, InvitationRequest, invite
from handlers.http_input import BadRequest, RefusalLog, body_text, header_bytes, parse_json
from storage.store import Store

log = logging.getLogger("bot.api")
_refusals = RefusalLog(log)
MAX_BODY = 64 * 1024
AUDIT_FLUSH_SECONDS = 10.0


class RefusedCalls:
    """Calls refused for a missing or wrong key, audited in aggregate.

    Counted in memory and written at most every AUDIT_FLUSH_SECONDS (and at shutdown) as one entry
    per hour: a flood of bad keys costs neither a database write nor a document per call.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._clock = clock
        self._monotonic = monotonic
        self._pending = 0
        self._flushed_at: float | None = None

    async def add(self) -> None:
        self._pending += 1
        now = self._monotonic()
        if self._flushed_at is None or now - self._flushed_at >= AUDIT_FLUSH_SECONDS:
            self._flushed_at = now
            await self.flush()

    async def flush(self) -> None:
        count, self._pending = self._pending, 0
        if not count:
            return
        try:
            await self._store.audit.add_refusals(
                actor="api", action="invite", detail="bad API key", count=count, at=self._clock()
            )
        except PyMongoError as error:  # MongoDB down: a refusal still answers 401, the count waits
            self._pending += count
            log.warning("refused API calls could not be audited yet (%s)", type(error).__name__)


def add_api_routes(
    app: web.Application,
    *,
    store: Store,
    api_key: str,
    clock: Callable[[], datetime],
    deep_link: Callable[[str], str | None],
) -> RefusedCalls:
    """Mounts the API; the caller flushes the returned refusal count at shutdown."""
    refused = RefusedCalls(store, clock=clock)

    async def invitations(request: web.Request) -> web.Response:
        # As bytes: a header byte such as 0xff is a wrong key (401), not an encoding error (500).
        given = header_bytes(request, "Authorization").removeprefix(b"Bearer ").strip()
        if not given or not hmac.compare_digest(given, api_key.encode()):
            _refusals.warn("API request refused: missing or wrong key")
            await refused.add()
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            body = parse_json(body_text(await request.read(), request.charset))
            invitation = InvitationRequest.model_validate(body)
        except BadRequest as error:
            _refusals.warn("API request refused: unreadable body")
            return web.json_response({"error": error.reason}, status=400)
        except ValidationError as error:
            problems = [
                {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in error.errors()
            ]
            return web.json_response({"error": "invalid invitation", "problems": problems}, status=400)
        try:
            result = await invite(store, invitation, now=clock(), deep_link=deep_link, source="api")
        except InvitationError as error:
            return web.json_response({"error": str(error)}, status=422)
        return web.json_response(
            {
                "invitation_id": result.invitation_id,
                "start_payload": result.start_payload,
                "deep_link": result.deep_link,
                "duplicate": result.duplicate,
                "sending_in_chat": result.sending,
            },
            status=200 if result.duplicate else 201,
        )

    app.router.add_post("/api/v1/invitations", invitations)
    return refused
