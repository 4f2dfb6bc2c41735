"""The typed detour a chat carries: stored and read back exactly; older untyped drafts still read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conversations.dialogues.detours import (
    ComplaintDraft,
    FeedbackDraft,
    Photo,
    PreviewDraft,
    TicketReply,
    detour_from_document,
)
from conversations.dialogues.dialogue import Dialogue, State
from core.questionnaire import BUILTIN_DIR, load_file


def _dialogue(**fields: object) -> Dialogue:
    return Dialogue(key="t:1", channel="t", chat_key="1", customer_id="c1", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "detour",
    [
        ComplaintDraft(rating=2, category="logistics", photos=[Photo(kind="photo", ref="F1")], contact="x"),
        FeedbackDraft(text="Love the packaging"),
        TicketReply(ticket="C-7K2Q9X"),
    ],
)
def test_a_detour_is_stored_and_read_back_as_it_was(detour: object) -> None:
    stored = _dialogue(state=State.COMPLAINT_ORDER, detour=detour, return_to=State.COMPLETED).to_document()
    again = Dialogue.from_document(stored)
    assert again.detour == detour and again.return_to is State.COMPLETED


def test_a_preview_keeps_its_questionnaire_typed() -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    stored = _dialogue(detour=PreviewDraft(questionnaire=questionnaire, answers={"q": 4})).to_document()
    again = Dialogue.from_document(stored).detour
    assert isinstance(again, PreviewDraft)
    assert again.questionnaire == questionnaire and again.answers == {"q": 4}


def test_an_untyped_draft_of_an_older_version_is_read_once() -> None:
    old = _dialogue(state=State.COMPLAINT_PRODUCT).to_document()
    del old["detour"], old["return_to"]
    old["draft"] = {
        "from_state": "completed",
        "complaint_version": "abc",
        "category": "product",
        "order_ref": "A1234-5678",
        "photos": [{"kind": "photo", "ref": "F1"}],
    }
    dialogue = Dialogue.from_document(old)
    assert dialogue.return_to is State.COMPLETED
    assert dialogue.detour == ComplaintDraft(
        consent_text="abc", category="product", order_ref="A1234-5678", photos=[Photo(kind="photo", ref="F1")]
    )
    old["draft"] = {"ticket": "C-1", "from_state": "new"}
    assert Dialogue.from_document(old).detour == TicketReply(ticket="C-1")


def test_a_detour_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        detour_from_document({"kind": "mystery", "text": "x"})
