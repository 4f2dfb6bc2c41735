"""Who may open web chat connections and send messages: limits per client address and in all.

The web chat is open to anonymous visitors, and every message a visitor sends costs a dialogue step
and may create documents. A per-connection limit alone is reset by reconnecting, so connections and
messages are also counted per client address and for the whole worker.
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

WINDOW_SECONDS = 60.0
IPV6_PREFIX = 64  # one IPv6 subscriber usually holds a whole /64: counted as one address


class ClientAddress:
    """The address a request is counted against.

    The peer's own address, unless the peer is a trusted reverse proxy: then the right-most address
    in X-Forwarded-For that is not itself a trusted proxy (the left part is whatever the client
    wrote and cannot be believed).
    """

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self._trusted = frozenset(_normal(address) or address for address in trusted_proxies)

    def of(self, request: web.Request) -> str:
        peer = _normal(request.remote or "") or "unknown"
        if peer not in self._trusted:
            return peer
        hops = [
            hop.strip() for value in request.headers.getall("X-Forwarded-For", []) for hop in value.split(",")
        ]
        for hop in reversed(hops):
            address = _normal(hop)
            if address is None:
                return peer  # the proxy passed on something unreadable: count the proxy itself
            if address not in self._trusted:
                return address
        return peer


def _normal(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


@dataclass(frozen=True, slots=True)
class Caps:
    max_sockets: int = 1000
    max_sockets_per_address: int = 20
    messages_per_minute_per_address: int = 60
    messages_per_minute: int = 3000


class Admission:
    """Open connections and recent messages, per address and in all.

    The tables hold only open connections and the last minute's senders, whatever the traffic was.
    """

    def __init__(self, caps: Caps, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._caps = caps
        self._clock = clock
        self._sockets: dict[str, int] = {}
        self._open = 0
        self._recent: dict[str, deque[float]] = {}
        self._all_recent: deque[float] = deque()

    @property
    def open_sockets(self) -> int:
        return self._open

    @property
    def tracked_addresses(self) -> int:
        return len(self._sockets) + len(self._recent)

    def open(self, address: str) -> str | None:
        """Takes a connection slot, or says why not: "busy" (the worker) or "too_many" (the address)."""
        if self._open >= self._caps.max_sockets:
            return "busy"
        if self._sockets.get(address, 0) >= self._caps.max_sockets_per_address:
            return "too_many"
        self._sockets[address] = self._sockets.get(address, 0) + 1
        self._open += 1
        return None

    def close(self, address: str) -> None:
        left = self._sockets.get(address, 0) - 1
        if left > 0:
            self._sockets[address] = left
        else:
            self._sockets.pop(address, None)
        self._open -= 1

    def message_allowed(self, address: str) -> bool:
        now = self._clock()
        _expire(self._all_recent, now)
        recent = self._recent.get(address)
        if recent is not None:
            _expire(recent, now)
        if len(self._all_recent) >= self._caps.messages_per_minute:
            return False
        if recent is not None and len(recent) >= self._caps.messages_per_minute_per_address:
            return False
        if recent is None:
            if len(self._recent) >= self._caps.max_sockets:
                self._forget_quiet(now)
            recent = self._recent.setdefault(address, deque())
        recent.append(now)
        self._all_recent.append(now)
        return True

    def _forget_quiet(self, now: float) -> None:
        """Drops addresses with nothing in the window, so the table stays as small as the traffic."""
        for address in list(self._recent):
            _expire(self._recent[address], now)
            if not self._recent[address]:
                del self._recent[address]


def _expire(moments: deque[float], now: float) -> None:
    while moments and now - moments[0] > WINDOW_SECONDS:
        moments.popleft()
