"""MONGODB_URI checked before anything connects, and described without its secrets."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from pymongo.errors import ConfigurationError, InvalidURI

# pymongo's own parser, minus the DNS lookup `parse_uri` makes for mongodb+srv:// (a lookup is a
# connection attempt, and its failure belongs to the reachability check, not to the syntax check).
from pymongo.uri_parser_shared import _validate_uri

# How long the first contact may take when the URI does not set serverSelectionTimeoutMS itself;
# pymongo's 30 s default suits a running service riding out a failover, not a start-up that fails.
STARTUP_CHECK_SECONDS = 5.0


class InvalidMongoUri(ValueError):
    """MONGODB_URI is not a MongoDB URI; the message names the problem, never the password."""


@dataclass(frozen=True, slots=True)
class ParsedUri:
    hosts: tuple[str, ...]  # "host:port", or the SRV name for mongodb+srv://
    startup_seconds: float


def parse(uri: str, *, name: str = "MONGODB_URI") -> ParsedUri:
    """The hosts and the start-up check's time limit; InvalidMongoUri when pymongo would refuse it."""
    try:
        parsed = _validate_uri(uri)
    except (InvalidURI, ConfigurationError, ValueError) as error:
        raise InvalidMongoUri(f"{name} is not a valid MongoDB URI: {_scrub(str(error), uri)}") from None
    if parsed["fqdn"] is not None:
        hosts: tuple[str, ...] = (f"{parsed['fqdn']} (SRV)",)
    else:
        hosts = tuple(_address(host, port) for host, port in parsed["nodelist"])
    timeout_ms = parsed["options"].get("serverSelectionTimeoutMS")
    seconds = float(timeout_ms) / 1000 if timeout_ms is not None else STARTUP_CHECK_SECONDS
    return ParsedUri(hosts=hosts, startup_seconds=seconds)


def _address(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host  # an IPv6 literal
    return f"{shown}:{port}" if port is not None else shown


def _scrub(message: str, uri: str) -> str:
    """pymongo's messages may quote parts of the URI: never let the password through."""
    rest = uri.partition("://")[2].partition("?")[0]
    userinfo = rest[: rest.rfind("@")] if "@" in rest else ""
    password = userinfo.partition(":")[2]
    for secret in {password, unquote_plus(password)} - {""}:
        message = message.replace(secret, "****")
    return message.rstrip(".")
