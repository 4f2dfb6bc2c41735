"""The one aiohttp application behind every webhook, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.metrics import Metrics

log = logging.getLogger("bot.server")
HealthCheck = Callable[[], Awaitable[bool]]
Gauges = Callable[[], Awaitable[dict[str, float]]]
# How long a stopping server lets requests in flight finish (aiohttp's default: 60 s). Webhooks are
# answered in milliseconds, and the whole stop must fit the 10 s `feedback-bot run` promises.
SHUTDOWN_SECONDS = 3.0


async def _no_gauges() -> dict[str, float]:
    return {}


def build_web_app(*, metrics: Metrics, healthy: HealthCheck, gauges: Gauges = _no_gauges) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        try:
            ok = await healthy()
        except Exception as error:
            log.warning("health check failed (%s)", type(error).__name__)
            ok = False
        return web.json_response({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503)

    async def metrics_text(request: web.Request) -> web.Response:
        try:
            current = await gauges()
        except Exception as error:  # the counters are still worth serving when MongoDB is down
            log.warning("metrics gauges unavailable (%s)", type(error).__name__)
            current = {}
        return web.Response(text=metrics.render(current), content_type="text/plain")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_text)
    return app


class WebServer:
    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        self._host = host
        self._port = port
        self.port = port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        log.info("listening on http://%s:%d", self._host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()
