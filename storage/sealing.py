"""Encryption at rest for contact details: AES-256-GCM, several keys so they can be rotated.

Keys come from `CONTACT_KEYS` ("<id>:<base64 of 32 bytes>", comma-separated): the first seals, all
open. Each sealed value names its key and is bound to the record it belongs to (associated data),
so a value copied into another record does not open. `cryptography` (~6 MiB) is imported by the first
seal or open: most workers never handle a contact detail.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32


class SealingError(ValueError):
    """Keys that cannot be used, or a sealed value that does not open with them."""


@dataclass(frozen=True, slots=True)
class Sealer:
    keys: dict[str, bytes]
    current: str

    @classmethod
    def parse(cls, spec: str) -> Sealer:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key_id, _, encoded = part.partition(":")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise SealingError(f"CONTACT_KEYS: key {key_id!r} is not base64") from None
            if not key_id.isalnum() or len(key) != KEY_BYTES:
                raise SealingError(
                    f"CONTACT_KEYS: key {key_id!r} must be <letters/digits>:<base64 of 32 bytes>"
                )
            keys[key_id] = key
            order.append(key_id)
        if not order:
            raise SealingError("CONTACT_KEYS: no key given")
        return cls(keys, order[0])

    @classmethod
    def ephemeral(cls) -> Sealer:
        """A key that lives as long as the process (tests, throw-away stores)."""
        return cls({"tmp": secrets.token_bytes(KEY_BYTES)}, "tmp")

    @classmethod
    def local(cls, path: Path) -> Sealer:
        """One machine without CONTACT_KEYS: a key kept in the data folder."""
        return cls({"local": local_key(path)}, "local")

    def seal(self, text: str, *, bound_to: str) -> dict[str, str]:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, text.encode(), bound_to.encode())
        return {"key": self.current, "nonce": _b64(nonce), "data": _b64(sealed)}

    def open(self, sealed: dict[str, str], *, bound_to: str) -> str:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = self.keys.get(str(sealed.get("key")))
        if key is None:
            raise SealingError(f"sealed with key {sealed.get('key')!r}, which is not configured")
        try:
            plain = AESGCM(key).decrypt(
                base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["data"]), bound_to.encode()
            )
        except (InvalidTag, KeyError, ValueError):
            raise SealingError("a sealed value does not open (altered, or moved to another record)") from None
        return plain.decode()


def local_key(path: Path) -> bytes:
    """32 random bytes kept in `path` (created once, readable by its owner only)."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process on this machine wrote it first
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
