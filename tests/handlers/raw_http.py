"""HTTP/1.1 spoken by hand over a loopback socket: for requests a well-behaved client library refuses to
send (header bytes outside ASCII, bodies that lie about their charset), and for slow clients."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from dataclasses import dataclass

TIMEOUT = 30.0  # a bound on a test's wait, not a performance assertion


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def head(method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if body or method == "POST":
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def request(
    port: int, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> Answer:
    async with asyncio.timeout(TIMEOUT):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(head(method, path, headers, body) + body)
            await writer.drain()
            raw = await reader.read()  # Connection: close, so the answer ends at EOF
        finally:
            writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    header_block, _, content = rest.partition(b"\r\n\r\n")
    fields = {}
    for line in header_block.split(b"\r\n"):
        name, _, value = line.decode("latin-1").partition(":")
        fields[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), fields, content)


def slack_headers(
    body: bytes, secret: str, *, content_type: bytes = b"application/x-www-form-urlencoded"
) -> list[tuple[bytes, bytes]]:
    """Slack's v0 signature over the raw bytes, whatever they are."""
    stamp = str(int(time.time())).encode()
    digest = hmac.new(secret.encode(), b"v0:" + stamp + b":" + body, hashlib.sha256).hexdigest()
    return [
        (b"X-Slack-Request-Timestamp", stamp),
        (b"X-Slack-Signature", b"v0=" + digest.encode()),
        (b"Content-Type", content_type),
    ]


def whatsapp_headers(
    body: bytes, secret: str, *, content_type: bytes = b"application/json"
) -> list[tuple[bytes, bytes]]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return [(b"X-Hub-Signature-256", b"sha256=" + digest.encode()), (b"Content-Type", content_type)]
