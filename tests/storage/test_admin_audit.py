"""The audit log reads back typed, refusals in aggregate included."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.admin import AuditEntry
from storage.store import Store
from storage.types import Database

T0 = datetime(2026, 12, 1, 12, 10, tzinfo=UTC)


async def test_entries_and_aggregated_refusals_read_back_newest_first(db: Database) -> None:
    store = await Store.open(db)
    await store.audit.add(actor="telegram:1", action="submit", target="pulse", outcome="done")
    await store.audit.add_refusals(actor="api:shop", action="invite", detail="bad key", count=3, at=T0)
    done, refused = await store.audit.latest(limit=5)  # the refusals are stamped earlier (T0)
    assert done.action == "submit" and done.target == "pulse" and done.detail == "" and done.count is None
    assert refused == AuditEntry(
        at=refused.at, actor="api:shop", action="invite", outcome="refused", detail="bad key", count=3
    )
    # An entry written by hand without the optional fields still reads.
    assert AuditEntry.from_document({"at": T0, "actor": "a", "action": "b", "outcome": "done"}).target is None
