"""A fake LibreTranslate API on 127.0.0.1: `POST /translate` answers "[<target>] <TEXT IN CAPITALS>"."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FakeLibreTranslate:
    base_url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def translate(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.can_read_body:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        self.requests.append(params)
        if self.hang:
            await self.release.wait()
        if self.status != 200:
            return web.json_response({"error": "server says no"}, status=self.status)
        return web.json_response({"translatedText": f"[{params['target']}] {params['q'].upper()}"})
