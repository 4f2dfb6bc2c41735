"""A customer's erasure (`/delete`): everything stored about them goes, in every collection.

Carried out as the outbox's `customers.erase` effect after the commit that told the customer, so it
lives beside the outbox rather than in the privacy dialogue that decides it.
"""

from __future__ import annotations

from datetime import datetime

from conversations.reports.theme_matching import METHOD
from conversations.translation import text_hash
from core.events import DESK_CHANNEL
from core.jobs import TicketPublish
from storage.store import Store


async def erase_customer(
    store: Store, *, customer_id: str, channel: str, chat_key: str, event_id: str, at: datetime
) -> None:
    """Everything stored about a customer goes, or loses what points to them, in every collection.

    Jobs refer to tickets and responses by id (their words live in those and are erased there);
    jobs written by older versions are stripped of what they carried. Inbox entries keep only the
    hashed event id that recognises a redelivery.
    """
    # Cached translations of their words (and of answers written to them) go too.
    written = await store.tickets.texts_for_customer(customer_id=customer_id)
    feedback = await store.feedback.for_customer(customer_id=customer_id)
    written += [str(doc.get("text") or "") for doc in feedback]
    # A survey in progress keeps its answers in the conversation until it ends.
    responses = await store.conversations.with_answers_so_far(
        await store.responses.for_customer(customer_id=customer_id)
    )
    for response in responses:
        written += [a.value for a in response.answers.values() if isinstance(a.value, str)]
    await store.translations.forget(text_hashes=sorted({text_hash(t) for t in written if t.strip()}))
    identities = await store.customers.platform_ids(customer_id=customer_id)
    await store.themes.forget(
        keys=[f"feedback:{doc['_id']}" for doc in feedback]
        + [f"ticket:{ticket.id}" for ticket in await store.tickets.for_customer(customer_id=customer_id)],
        responses=[response.id for response in responses],
        method=METHOD,
    )
    await store.responses.erase_for_customer(customer_id=customer_id)
    await store.contacts.erase_for_customer(customer_id=customer_id)
    await store.feedback.erase_for_customer(customer_id=customer_id)
    # Tickets keep what statistics need (category, team, times) but lose the customer's words and
    # any link to them; the agents' desk message is redrawn from the redacted ticket.
    redacted = await store.tickets.redact_for_customer(customer_id=customer_id)
    await store.jobs.scrub(
        references={
            "ticket": redacted,
            "response": [response.id for response in responses],
            "feedback": [str(doc["_id"]) for doc in feedback],
        }
    )
    for ticket_id in redacted:
        await store.jobs.put(TicketPublish(ticket=ticket_id), key=f"{ticket_id}:erased", due_at=at)
        # Agents' actions on the ticket wait in the inbox with their words (a reply may quote them).
        await store.inbox.scrub_chat(channel=DESK_CHANNEL, chat_key=ticket_id)
    await store.conversations.delete_for_customer(customer_id=customer_id)
    await store.inbox.scrub_chat(channel=channel, chat_key=chat_key, upto=event_id)
    await store.forget_chat(channel=channel, chat_key=chat_key)
    await store.invitations.unlink_customer(customer_id=customer_id)
    await store.audit.forget_actors(actors=identities)
    await store.customers.erase(customer_id=customer_id)
