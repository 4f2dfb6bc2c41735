"""Contact details encrypted at rest: round trip, tampering, records swapped, key rotation."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from storage.sealing import Sealer, SealingError
from storage.store import Store
from storage.types import Database


def key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


async def test_contacts_are_unreadable_in_the_database_and_rotate(db: Database) -> None:
    old, new = key("k1"), key("k2")
    store = await Store.open(db, sealer=Sealer.parse(old))
    await store.contacts.save(
        ticket_id="C-AAAAAA", customer_id="c1", value="+34 600 111 222, ana@example.com"
    )
    raw = await db["contacts"].find_one({"_id": "C-AAAAAA"})
    assert raw is not None and "600 111 222" not in str(raw) and "ana@" not in str(raw)
    assert raw["sealed"]["key"] == "k1"
    assert await store.contacts.get(ticket_id="C-AAAAAA") == "+34 600 111 222, ana@example.com"

    rotated = await Store.open(db, sealer=Sealer.parse(f"{new},{old}"))  # new key first, old still opens
    assert await rotated.contacts.get(ticket_id="C-AAAAAA") == "+34 600 111 222, ana@example.com"
    assert await rotated.contacts.reseal() == 1 and await rotated.contacts.reseal() == 0
    moved = await db["contacts"].find_one({"_id": "C-AAAAAA"})
    assert moved is not None and moved["sealed"]["key"] == "k2"
    only_new = await Store.open(db, sealer=Sealer.parse(new))  # the old key can now be dropped
    assert await only_new.contacts.get(ticket_id="C-AAAAAA") == "+34 600 111 222, ana@example.com"
    with pytest.raises(SealingError, match="not configured"):
        await (await Store.open(db, sealer=Sealer.parse(old))).contacts.get(ticket_id="C-AAAAAA")


def test_tampered_or_moved_values_do_not_open() -> None:
    sealer = Sealer.parse(key("a"))
    sealed = sealer.seal("ana@example.com", bound_to="C-AAAAAA")
    assert sealer.open(sealed, bound_to="C-AAAAAA") == "ana@example.com"
    with pytest.raises(SealingError, match="another record"):
        sealer.open(sealed, bound_to="C-BBBBBB")
    data = bytearray(base64.b64decode(sealed["data"]))
    data[0] ^= 1
    with pytest.raises(SealingError):
        sealer.open({**sealed, "data": base64.b64encode(bytes(data)).decode()}, bound_to="C-AAAAAA")
    assert sealer.seal("same", bound_to="x") != sealer.seal("same", bound_to="x")  # a fresh nonce each time


@pytest.mark.parametrize(
    "spec", ["", "k1", "k1:not-base64!", "k1:" + base64.b64encode(b"short").decode(), "k-1:AAAA"]
)
def test_bad_key_settings_are_refused(spec: str) -> None:
    with pytest.raises(SealingError):
        Sealer.parse(spec)


def test_a_local_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = Sealer.local(tmp_path / "contact.key")
    again = Sealer.local(tmp_path / "contact.key")
    assert first.keys == again.keys and (tmp_path / "contact.key").stat().st_mode & 0o077 == 0
