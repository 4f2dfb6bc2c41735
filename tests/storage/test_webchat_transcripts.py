"""The web chat's transcript: a reply's messages stored in one go, in order, edits only in their chat."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from storage.types import Database
from storage.webchat import WebChatTranscripts

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def body(text: str) -> dict[str, object]:
    return {"text": text, "choices": [], "rtl": False, "lang": "en"}


async def test_a_reply_edits_what_is_stored_and_adds_the_rest_in_order(db: Database) -> None:
    transcripts = WebChatTranscripts(db)
    ((question, replaced),) = await transcripts.store_out(
        chat_key="v1", messages=[(None, body("Q1?"))], at=AT
    )
    assert not replaced
    elsewhere = await transcripts.store_out(chat_key="v2", messages=[(None, body("theirs"))], at=AT)
    unstored = str(ObjectId())  # a prompt shown to an anonymous visitor, kept nowhere
    stored = await transcripts.store_out(
        chat_key="v1",
        messages=[
            (unstored, body("Consent: agreed")),
            (question, body("✓ 4\n\nQ2?")),
            (elsewhere[0][0], body("not theirs to change")),
            ("not-an-id", body("Q3?")),
        ],
        at=AT,
    )
    assert [replaced for _, replaced in stored] == [False, True, False, False]
    assert stored[1][0] == question
    # Stored in the reply's order (same time: the ids decide), the other chat's message untouched.
    texts = [doc["body"]["text"] for doc in await transcripts.recent(chat_key="v1", limit=10)]
    assert texts == ["✓ 4\n\nQ2?", "Consent: agreed", "not theirs to change", "Q3?"]
    (theirs,) = await transcripts.recent(chat_key="v2", limit=10)
    assert theirs["body"]["text"] == "theirs"
