"""Pseudonymous customers and the platform identities (personal data) that point to them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from storage.types import Database, Document


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    language: str | None
    language_explicit: bool


def _customer(doc: Document) -> Customer:
    return Customer(
        id=doc["_id"],
        language=doc.get("language"),
        language_explicit=bool(doc.get("language_explicit")),
    )


class Customers:
    """Answers refer only to `Customer.id`; the platform user id lives in `identities`."""

    def __init__(self, db: Database) -> None:
        self._customers = db["customers"]
        self._identities = db["identities"]

    async def identify(self, *, channel: str, user_key: str) -> Customer:
        """The customer behind a platform user, created on first sight.

        A returning user costs two reads, a new one a read and two writes (five round trips before:
        what was just written was read back).
        """
        identity_id = f"{channel}:{user_key}"
        found = await self._identities.find_one({"_id": identity_id})
        if found is None:
            candidate = secrets.token_hex(12)
            try:
                await self._identities.insert_one(
                    {
                        "_id": identity_id,
                        "customer_id": candidate,
                        "channel": channel,
                        "user_key": user_key,
                        "created_at": datetime.now(UTC),
                    }
                )
            except DuplicateKeyError:
                # Another worker identified this user first: use its id.
                found = await self._identities.find_one({"_id": identity_id})
                if found is None:
                    raise RuntimeError("identity vanished right after it was written") from None
            else:
                return await self._created(candidate)
        customer_id: str = found["customer_id"]
        doc = await self._customers.find_one({"_id": customer_id})
        # Missing only when a worker died between the identity and the customer: create it now.
        return _customer(doc) if doc is not None else await self._created(customer_id)

    async def _created(self, customer_id: str) -> Customer:
        # An upsert, not an insert: two workers finishing the same identity create one customer.
        await self._customers.update_one(
            {"_id": customer_id}, {"$setOnInsert": {"created_at": datetime.now(UTC)}}, upsert=True
        )
        return Customer(id=customer_id, language=None, language_explicit=False)

    async def known(self, *, channel: str, user_key: str) -> bool:
        """Whether this platform user was ever identified (a read: nothing is created)."""
        return await self._identities.count_documents({"_id": f"{channel}:{user_key}"}, limit=1) > 0

    async def get(self, *, customer_id: str) -> Customer | None:
        doc = await self._customers.find_one({"_id": customer_id})
        return None if doc is None else _customer(doc)

    async def set_language(self, *, customer_id: str, language: str, explicit: bool) -> None:
        await self._customers.update_one(
            {"_id": customer_id},
            {"$set": {"language": language, "language_explicit": explicit}},
        )

    async def platform_ids(self, *, customer_id: str) -> list[str]:
        """The customer's platform identities ("whatsapp:<number>" …): personal data, read sparingly."""
        return [
            str(doc["_id"]) async for doc in self._identities.find({"customer_id": customer_id}, {"_id": 1})
        ]

    async def erase(self, *, customer_id: str) -> None:
        await self._identities.delete_many({"customer_id": customer_id})
        await self._customers.delete_one({"_id": customer_id})
