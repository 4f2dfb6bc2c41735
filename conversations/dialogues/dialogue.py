"""A chat's dialogue state as stored in the `conversations` collection."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conversations.dialogues.detours import (
    ComplaintDraft,
    Detour,
    FeedbackDraft,
    TicketReply,
    detour_document,
    detour_from_document,
)


class State(StrEnum):
    NEW = "new"
    CONSENT = "awaiting_consent"
    SURVEY = "in_survey"
    RESUME = "resume_choice"
    CONFIRM_DELETE = "confirm_delete"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLAINT_CONSENT = "complaint_consent"
    COMPLAINT_SENSITIVE = "complaint_sensitive_consent"
    COMPLAINT_CATEGORY = "complaint_category"
    COMPLAINT_ORDER = "complaint_order"
    COMPLAINT_PRODUCT = "complaint_product"
    COMPLAINT_DESCRIPTION = "complaint_description"
    COMPLAINT_EXPECTATION = "complaint_expectation"
    COMPLAINT_CONTACT_TIME = "complaint_contact_time"
    COMPLAINT_CONTACT = "complaint_contact"
    COMPLAINT_CONFIRM = "complaint_confirm"
    COMPLAINT_CORRECT = "complaint_correct"
    COMPLAINT_REJECT_REASON = "complaint_reject_reason"
    FOLLOWUP_COMMENT = "followup_comment"
    FEEDBACK_CLASSIFY = "feedback_classify"


@dataclass(slots=True)
class Dialogue:
    key: str
    channel: str
    chat_key: str
    customer_id: str
    state: State = State.NEW
    version: int = 0
    questionnaire_id: str | None = None
    questionnaire_version: int | None = None
    order_ref: str | None = None
    consent_version: str | None = None
    response_id: str | None = None
    question_id: str | None = None
    history: list[str] = field(default_factory=list)
    return_state: State | None = None
    recent_events: list[str] = field(default_factory=list)
    detour: Detour | None = None
    """What the chat carries while away from the survey (a complaint being written, ...)."""
    return_to: State | None = None
    """Where the chat goes back to when the detour ends."""
    answers: dict[str, Any] | None = None
    """The survey's answers so far, by question id (None: not yet read, for chats from before
    answers were kept here); committed with the state, copied to `responses` when the survey is
    completed or abandoned."""
    builder: dict[str, Any] | None = None
    """An admin's questionnaire being built in this chat (conversations/admin/builder_draft.py), or None."""
    review_reason_for: str | None = None
    """The questionnaire whose "Request changes" this admin pressed: their next text is the reason."""

    def to_document(self) -> dict[str, Any]:
        return {
            "_id": self.key,
            "channel": self.channel,
            "chat_key": self.chat_key,
            "customer_id": self.customer_id,
            "state": self.state.value,
            "version": self.version,
            "questionnaire_id": self.questionnaire_id,
            "questionnaire_version": self.questionnaire_version,
            "order_ref": self.order_ref,
            "consent_version": self.consent_version,
            "response_id": self.response_id,
            "question_id": self.question_id,
            "history": list(self.history),
            "return_state": self.return_state.value if self.return_state else None,
            "recent_events": list(self.recent_events),
            "detour": detour_document(self.detour),
            "return_to": self.return_to.value if self.return_to else None,
            "answers": None if self.answers is None else dict(self.answers),
            "builder": None if self.builder is None else dict(self.builder),
            "review_reason_for": self.review_reason_for,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Dialogue:
        return cls(
            key=doc["_id"],
            channel=doc["channel"],
            chat_key=doc["chat_key"],
            customer_id=doc["customer_id"],
            state=State(doc.get("state", State.NEW)),
            version=int(doc.get("version", 0)),
            questionnaire_id=doc.get("questionnaire_id"),
            questionnaire_version=doc.get("questionnaire_version"),
            order_ref=doc.get("order_ref"),
            consent_version=doc.get("consent_version"),
            response_id=doc.get("response_id"),
            question_id=doc.get("question_id"),
            history=list(doc.get("history") or []),
            return_state=State(doc["return_state"]) if doc.get("return_state") else None,
            recent_events=list(doc.get("recent_events") or []),
            detour=detour_from_document(doc.get("detour")) or _legacy_detour(doc.get("draft")),
            return_to=_return_to(doc),
            answers=None if doc.get("answers") is None else dict(doc["answers"]),
            builder=None if doc.get("builder") is None else dict(doc["builder"]),
            review_reason_for=doc.get("review_reason_for"),
        )


def _return_to(doc: dict[str, Any]) -> State | None:
    back = doc.get("return_to") or (doc.get("draft") or {}).get("from_state")
    return State(back) if back else None


def _legacy_detour(draft: dict[str, Any] | None) -> Detour | None:
    """A conversation stored before detours were typed: its untyped `draft`, read once."""
    if not draft:
        return None
    if "ticket" in draft:
        return TicketReply(ticket=str(draft["ticket"]))
    if "feedback" in draft:
        return FeedbackDraft(text=str(draft["feedback"]))
    if "preview_definition" in draft:
        return None  # an admin's preview: they start it again
    fields = {k: v for k, v in draft.items() if k in ComplaintDraft.model_fields}
    fields["consent_text"] = str(draft.get("complaint_version") or "")
    fields["sensitive_text"] = str(draft.get("complaint_sensitive_version") or "")
    return ComplaintDraft.model_validate(fields)
