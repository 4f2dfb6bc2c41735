"""Copy one database into another: every collection, its documents and its indexes.

For moving the trial data (the embedded server in ./data) into a real MongoDB (`feedback-bot migrate
--to URI`). Stop the bot first: documents written during the copy may be missed.

- Indexes are created first (same names, keys and options: unique, TTL, partial ...), so the target
  enforces the same rules while the documents arrive. A TTL index may delete documents that were
  already due in the source; nothing else is lost.
- Documents are copied in batches, unchanged (same `_id`, types and field order).
- A target that already holds documents is refused, unless `resume=True` (continuing an interrupted
  copy): documents whose `_id` is already there are left as they are and counted, never doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

Database = AsyncDatabase[dict[str, Any]]
DUPLICATE_KEY = 11000
# Index fields that describe the index rather than configure it (passed on as options otherwise).
_NOT_OPTIONS = {"v", "key", "ns"}


class MigrationError(RuntimeError):
    """The copy cannot start or did not copy everything; the message says which collection and why."""


@dataclass(slots=True)
class CollectionCopy:
    name: str
    documents: int = 0
    """Documents read from the source."""
    inserted: int = 0
    already_there: int = 0
    """With `resume`: documents whose `_id` the target already held (left unchanged)."""
    indexes: list[str] = field(default_factory=list)
    """Names of the indexes created (besides `_id_`)."""


@dataclass(slots=True)
class CopyReport:
    collections: list[CollectionCopy] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Views and system collections: not copied."""

    @property
    def documents(self) -> int:
        return sum(c.documents for c in self.collections)

    @property
    def inserted(self) -> int:
        return sum(c.inserted for c in self.collections)


async def copy_database(
    source: Database,
    target: Database,
    *,
    resume: bool = False,
    batch_size: int = 500,
    progress: Callable[[CollectionCopy], None] | None = None,
) -> CopyReport:
    """Copy every collection of `source` (documents and indexes) into `target`.

    `progress` is called after each batch with the collection's running counts.
    Raises MigrationError when the target holds documents and `resume` is false, when source and
    target are the same database, or when a document cannot be written.
    """
    if source.client is target.client and source.name == target.name:
        raise MigrationError(f"source and target are the same database ({source.name})")
    listing = [info async for info in await source.list_collections()]
    report = CopyReport()
    plain = []
    for info in sorted(listing, key=lambda i: str(i["name"])):
        name = str(info["name"])
        if info.get("type", "collection") != "collection" or name.startswith("system."):
            report.skipped.append(name)
        else:
            plain.append((name, dict(info.get("options") or {})))
    if not resume:
        for name in await target.list_collection_names():
            if await target[name].find_one({}, projection={"_id": 1}) is not None:
                raise MigrationError(
                    f"the target database {target.name} already holds documents (in {name}): copy into "
                    "an empty database, or resume an interrupted copy"
                )
    existing = set(await target.list_collection_names())
    for name, options in plain:
        copied = CollectionCopy(name=name)
        report.collections.append(copied)
        if name not in existing:
            await target.create_collection(name, **options)
        copied.indexes = await _copy_indexes(source, target, name)
        await _copy_documents(source, target, copied, batch_size=batch_size, progress=progress)
        if copied.inserted + copied.already_there != copied.documents:
            raise MigrationError(
                f"{name}: {copied.documents} documents read, {copied.inserted} written, "
                f"{copied.already_there} already there"
            )
    return report


async def _copy_indexes(source: Database, target: Database, name: str) -> list[str]:
    models = []
    async for index in await source[name].list_indexes():
        if index["name"] == "_id_":
            continue
        options = {k: v for k, v in index.items() if k not in _NOT_OPTIONS}
        models.append(IndexModel(list(dict(index["key"]).items()), **options))
    if not models:
        return []
    return list(await target[name].create_indexes(models))


async def _copy_documents(
    source: Database,
    target: Database,
    copied: CollectionCopy,
    *,
    batch_size: int,
    progress: Callable[[CollectionCopy], None] | None,
) -> None:
    batch: list[dict[str, Any]] = []
    async for document in source[copied.name].find({}, batch_size=batch_size):
        batch.append(document)
        if len(batch) >= batch_size:
            await _write(target, copied, batch)
            batch = []
            if progress is not None:
                progress(copied)
    if batch:
        await _write(target, copied, batch)
    if progress is not None:
        progress(copied)


async def _write(target: Database, copied: CollectionCopy, batch: list[dict[str, Any]]) -> None:
    copied.documents += len(batch)
    try:
        result = await target[copied.name].insert_many(batch, ordered=False)
    except BulkWriteError as error:
        details = error.details
        present = 0
        for problem in details.get("writeErrors", []):
            # Already copied: the target holds a document with this `_id` (servers differ in which
            # unique index they name first, so the `_id` itself is looked up).
            document_id = problem.get("op", {}).get("_id")
            if problem.get("code") == DUPLICATE_KEY and await target[copied.name].find_one(
                {"_id": document_id}, projection={"_id": 1}
            ):
                present += 1
                continue
            raise MigrationError(
                f"{copied.name}: document {document_id!r} not written: {problem.get('errmsg', problem)}"
            ) from None
        copied.inserted += int(details.get("nInserted", 0))
        copied.already_there += present
        return
    copied.inserted += len(result.inserted_ids)
