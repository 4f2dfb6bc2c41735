"""Every index the project relies on, created at start-up (idempotent)."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from storage.types import Database

# Processed inbound events are kept this long to recognise late platform redeliveries.
INBOX_RETENTION_SECONDS = 7 * 24 * 3600
TRANSLATION_CACHE_SECONDS = 30 * 24 * 3600
FINISHED_JOB_SECONDS = 30 * 24 * 3600
# The web chat's transcript exists for the customer's convenience (a reload shows the chat again).
WEBCHAT_TRANSCRIPT_SECONDS = 30 * 24 * 3600


async def ensure_indexes(db: Database) -> None:
    await db["identities"].create_indexes([IndexModel([("customer_id", ASCENDING)])])
    await db["conversations"].create_indexes(
        [IndexModel([("customer_id", ASCENDING)]), IndexModel([("response_id", ASCENDING)])]
    )
    await db["responses"].create_indexes(
        [
            IndexModel([("customer_id", ASCENDING)]),
            IndexModel([("questionnaire_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("started_at", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("started_at", ASCENDING)]),
            # Completed responses of a period (effect evaluation, themes).
            IndexModel([("questionnaire_id", ASCENDING), ("completed_at", ASCENDING)]),
        ]
    )
    await db["consents"].create_indexes([IndexModel([("customer_id", ASCENDING), ("at", ASCENDING)])])
    await db["questionnaires"].create_indexes([IndexModel([("id", ASCENDING), ("version", ASCENDING)])])
    # Cached translations are derived from customers' words: they expire like processed events.
    await db["translation_cache"].create_indexes(
        [IndexModel([("created_at", ASCENDING)], expireAfterSeconds=TRANSLATION_CACHE_SECONDS)]
    )
    await db["inbox"].create_indexes(
        [
            IndexModel([("channel", ASCENDING), ("event_id", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("received_at", ASCENDING)]),
            IndexModel([("channel", ASCENDING), ("chat_key", ASCENDING)]),
            IndexModel([("done_at", ASCENDING)], expireAfterSeconds=INBOX_RETENTION_SECONDS),
        ]
    )
    await db["tickets"].create_indexes(
        [
            IndexModel([("source", ASCENDING)], unique=True),
            IndexModel([("customer_id", ASCENDING), ("created_at", ASCENDING)]),
            IndexModel([("order_ref", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
            IndexModel([("created_at", ASCENDING)]),
        ]
    )
    await db["jobs"].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("due_at", ASCENDING)]),
            IndexModel([("done_at", ASCENDING)], expireAfterSeconds=FINISHED_JOB_SECONDS),
        ]
    )
    await db["contacts"].create_indexes([IndexModel([("customer_id", ASCENDING)])])
    await db["feedback"].create_indexes(
        [
            IndexModel([("customer_id", ASCENDING)]),
            IndexModel([("kind", ASCENDING), ("received_at", ASCENDING)]),
            IndexModel([("received_at", ASCENDING)]),
        ]
    )
    await db["audit"].create_indexes([IndexModel([("at", ASCENDING)])])
    await db["invitations"].create_indexes(
        [
            IndexModel([("questionnaire_id", ASCENDING), ("order_ref", ASCENDING)], unique=True),
            IndexModel([("questionnaire_id", ASCENDING), ("created_at", ASCENDING)]),
        ]
    )
    await db["webchat_messages"].create_indexes(
        [
            IndexModel([("chat", ASCENDING), ("at", ASCENDING)]),
            IndexModel([("at", ASCENDING)], expireAfterSeconds=WEBCHAT_TRANSCRIPT_SECONDS, name="at_ttl"),
        ]
    )
    await db["rollups"].create_indexes([IndexModel([("axis", ASCENDING), ("day", ASCENDING)])])
    await db["improvements"].create_indexes([IndexModel([("status", ASCENDING), ("due", ASCENDING)])])
    await db["theme_assignments"].create_indexes(
        [
            IndexModel([("method", ASCENDING), ("day", ASCENDING)]),
        ]
    )
    await db["theme_days"].create_indexes([IndexModel([("method", ASCENDING), ("day", ASCENDING)])])
    await db["held_messages"].create_indexes([IndexModel([("chat", ASCENDING), ("held_at", ASCENDING)])])
    await db["customer_links"].create_indexes([IndexModel([("customer_id", ASCENDING)])])
