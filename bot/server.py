"""The one aiohttp application behind every webhook, health and metrics."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from bot.metrics import Metrics
from handlers.http_input import RefusalLog, header_bytes

log = logging.getLogger("bot.server")
_refusals = RefusalLog(log)
HealthCheck = Callable[[], Awaitable[bool]]
Gauges = Callable[[], Awaitable[dict[str, float]]]
# How long a stopping server lets requests in flight finish (aiohttp's default: 60 s). Webhooks are
# answered in milliseconds, and the whole stop must fit the 10 s `feedback-bot run` promises.
SHUTDOWN_SECONDS = 3.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 1024 * 1024
# Answers that mean "refused before doing anything": counted per entry point in /metrics.
REFUSED = frozenset({400, 401, 403, 408, 413, 429})
# The Server header names no versions: they only help someone matching known vulnerabilities.
SERVER_NAME = "feedback-bot"
_AREAS = (
    ("/webhooks/telegram", "telegram"),
    ("/webhooks/whatsapp", "whatsapp"),
    ("/slack/", "slack"),
    ("/api/", "api"),
    ("/chat", "web"),
    ("/metrics", "metrics"),
)


async def _no_gauges() -> dict[str, float]:
    return {}


def area(path: str) -> str:
    """The entry point a path belongs to: a small, fixed set of metric labels whatever the path."""
    for prefix, name in _AREAS:
        if path.startswith(prefix):
            return name
    return "other"


async def _body_in_time(request: web.Request, seconds: float) -> bool:
    """Reads the body into the request (handlers then get it from there) unless it takes too long:
    a client trickling bytes must not hold a connection and a handler for ever."""
    try:
        async with asyncio.timeout(seconds):
            await request.read()
    except TimeoutError:
        return False
    return True


def build_web_app(
    *,
    metrics: Metrics,
    healthy: HealthCheck,
    gauges: Gauges = _no_gauges,
    body_timeout: float = 30.0,
    metrics_token: str | None = None,
) -> web.Application:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Reads the whole body within `body_timeout`, and counts refusals by entry point."""
        try:
            if request.body_exists and not await _body_in_time(request, body_timeout):
                _refusals.warn("request body not received in time: connection closed")
                response: web.StreamResponse = web.Response(status=408, text="request body timeout")
                response.force_close()
            else:
                response = await handler(request)
        except web.HTTPException as error:
            if error.status in REFUSED:
                metrics.count("http_refused", area(request.path))
            raise
        if response.status in REFUSED:
            metrics.count("http_refused", area(request.path))
        return response

    app = web.Application(client_max_size=MAX_BODY, middlewares=[guard])

    async def hide_versions(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[hdrs.SERVER] = SERVER_NAME

    app.on_response_prepare.append(hide_versions)

    async def healthz(request: web.Request) -> web.Response:
        try:
            ok = await healthy()
        except Exception as error:
            log.warning("health check failed (%s)", type(error).__name__)
            ok = False
        return web.json_response({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503)

    async def metrics_text(request: web.Request) -> web.Response:
        if metrics_token is not None:
            given = header_bytes(request, "Authorization").removeprefix(b"Bearer ").strip()
            if not hmac.compare_digest(given, metrics_token.encode()):
                _refusals.warn("metrics request refused: missing or wrong METRICS_TOKEN")
                return web.Response(status=401, text="unauthorized")
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
    def __init__(
        self, app: web.Application, *, host: str, port: int, header_timeout: float = 20.0
    ) -> None:
        # aiohttp closes a connection whose request head is not complete when its keep-alive timer
        # fires (the timer starts with the connection and after each answer, and is not pushed back
        # by partial data): so this one setting is both the header read timeout and the idle limit.
        # Lingering (reading the rest of a body nobody will use) is kept short for the same reason.
        self._runner = web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=header_timeout,
            lingering_time=2.0,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
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
