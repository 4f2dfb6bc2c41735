"""Web chat visitors who never agreed to take part and went away: forgotten after a while.

Anyone can open the web chat and send /start. The engine then keeps the consent question's state in
a conversation, with a pseudonymous customer and identity, and the web chat keeps a transcript.
Until the engine can hold that state without storing it, these documents are deleted once the
visitor has been idle past a cut-off, unless they left something that must be kept (a consent
decision, answers, feedback, a ticket, contact details).
"""

from __future__ import annotations

from datetime import datetime

from storage.types import Database

# Collections whose documents mean a visitor did something that has to be kept.
KEPT = ("consents", "responses", "feedback", "tickets", "contacts")


class AbandonedVisitors:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def purge(self, *, channel: str, idle_before: datetime) -> int:
        """Deletes every trace of the channel's visitors idle since before `idle_before`; how many."""
        conversations = self._db["conversations"]
        idle = {"channel": channel, "updated_at": {"$lt": idle_before}}
        purged = 0
        async for doc in conversations.find(idle, {"chat_key": 1, "customer_id": 1}):
            customer_id, chat_key = doc.get("customer_id"), str(doc.get("chat_key") or "")
            if not chat_key or (customer_id and await self._keeps_something(str(customer_id))):
                continue
            # Matched on `updated_at` again: a visitor who came back meanwhile keeps the conversation.
            deleted = await conversations.delete_one({"_id": doc["_id"], "updated_at": {"$lt": idle_before}})
            if not deleted.deleted_count:
                continue
            await self._db["webchat_messages"].delete_many({"chat": chat_key})
            await self._db["inbox"].delete_many({"channel": channel, "chat_key": chat_key, "status": "done"})
            if customer_id:
                await self._db["identities"].delete_many({"customer_id": customer_id})
                await self._db["customers"].delete_one({"_id": customer_id})
            purged += 1
        return purged

    async def _keeps_something(self, customer_id: str) -> bool:
        for name in KEPT:
            if await self._db[name].find_one({"customer_id": customer_id}, {"_id": 1}) is not None:
                return True
        return False
