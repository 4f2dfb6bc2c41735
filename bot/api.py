"""The HTTP API for the shop's systems: `/api/v1/…`, authenticated with `SHOP_API_KEY`."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from pydantic import ValidationError

from conversations.invitations import InvitationError, InvitationRequest, invite
from storage.store import Store

log = logging.getLogger("bot.api")
MAX_BODY = 64 * 1024


def add_api_routes(
    app: web.Application,
    *,
    store: Store,
    api_key: str,
    clock: Callable[[], datetime],
    deep_link: Callable[[str], str | None],
) -> None:
    async def invitations(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not given or not hmac.compare_digest(given.encode(), api_key.encode()):
            log.warning("API request refused: missing or wrong key")
            await store.audit.add(
                actor="api", action="invite", target=None, outcome="refused", detail="bad API key"
            )
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            body = json.loads(await request.text())
            invitation = InvitationRequest.model_validate(body)
        except json.JSONDecodeError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
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
