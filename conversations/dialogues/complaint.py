"""The complaint intake dialogue: consent, sensitive-data consent, the questions, a summary, a ticket."""

from __future__ import annotations

import logging
from typing import Any

from conversations.dialogues import survey
from conversations.dialogues.answers import parse_typed
from conversations.dialogues.complaint_intake import (
    BY_FIELD,
    BY_STATE,
    Again,
    Stay,
    Toast,
    correctable_in,
    following,
)
from conversations.dialogues.detours import ComplaintDraft
from conversations.dialogues.dialogue import State
from conversations.outbox import Op
from conversations.rendering import Buttons, company_name, text_version
from conversations.tickets.intake import open_ticket
from conversations.turn import Turn
from core.events import EventKind
from core.payloads import ComplaintConsent, Confirm, Fix, SensitiveConsent
from core.questionnaire import Question, QuestionType
from storage.consents import Decision

log = logging.getLogger("conversations.dialogues.complaint")
COMPLAINT_CONSENT = "complaint"
SENSITIVE_CONSENT = "complaint_sensitive"
ESTIMATED_MINUTES = 3
_YES_NO = Question(id="yesno", type=QuestionType.YESNO, text={"en": "yes/no"})


async def start_complaint(turn: Turn, *, rating: int | None = None) -> State:
    """Begin a complaint from wherever the chat was; that place is kept to return to."""
    d = turn.dialogue
    back = d.return_to if d.state.value.startswith("complaint_") else d.state
    d.detour, d.return_to = ComplaintDraft(rating=rating), back or State.NEW
    return _ask_consent(turn)


def _ask_consent(turn: Turn) -> State:
    branding = turn.config.branding
    text = turn.t(
        "complaint.consent.text",
        duration=turn.catalogs.count(turn.language, "count.minutes", ESTIMATED_MINUTES),
        company=company_name(branding.company, language=turn.language, catalogs=turn.catalogs),
        retention=turn.catalogs.count(turn.language, "count.days", branding.ticket_retention_days),
        privacy_url=branding.privacy_url,
    )
    turn.complaint().consent_text = text_version(text)
    turn.say(text, _two(turn, ComplaintConsent, "button.agree", "button.decline"))
    return State.COMPLAINT_CONSENT


def _ask_sensitive(turn: Turn) -> State:
    text = turn.t("complaint.sensitive.text")
    turn.complaint().sensitive_text = text_version(text)
    turn.say(text, _two(turn, SensitiveConsent, "button.allow", "button.chat_only"))
    return State.COMPLAINT_SENSITIVE


def reshow(turn: Turn, state: State) -> State | None:
    """Show the complaint step of `state` again (e.g. in a new language); None outside a complaint."""
    if state is State.COMPLAINT_CONSENT:
        return _ask_consent(turn)
    if state is State.COMPLAINT_SENSITIVE:
        return _ask_sensitive(turn)
    if state in {State.COMPLAINT_CONFIRM, State.COMPLAINT_CORRECT}:
        return summary(turn)
    question = BY_STATE.get(state)
    return None if question is None else ask(question.field, turn)


def _two(turn: Turn, consent: type[ComplaintConsent | SensitiveConsent], yes: str, no: str) -> Any:
    return ((consent(agreed=True).button(turn.t(yes)), consent(agreed=False).button(turn.t(no))),)


def _decision(turn: Turn, consent: type[ComplaintConsent | SensitiveConsent]) -> bool | None:
    """True/False for the pressed button or a typed yes/no; None when it is neither."""
    event = turn.event
    if event.kind is EventKind.BUTTON:
        pressed = event.pressed(consent)
        return None if pressed is None else pressed.agreed
    if event.kind is EventKind.TEXT:
        typed = parse_typed(_YES_NO, event.text, language=turn.language, catalogs=turn.catalogs)
        return typed if isinstance(typed, bool) else None
    return None


async def _record(turn: Turn, kind: str, agreed: bool) -> None:
    draft = turn.complaint()
    turn.outbox.add(
        Op.CONSENT,
        entry_id=f"{turn.event.channel}:{turn.event.event_id}:{kind}",
        customer_id=turn.customer.id,
        kind=kind,
        # A hash of the exact text the customer saw, as for the survey consent.
        text_version=draft.consent_text if kind == COMPLAINT_CONSENT else draft.sensitive_text,
        language=turn.language,
        channel=turn.event.channel,
        decision=(Decision.GRANTED if agreed else Decision.REFUSED).value,
        at=turn.config.clock(),
    )


async def _leave(turn: Turn, message: str) -> State:
    """Back to where the chat was before the complaint, showing its question again."""
    back = turn.leave_detour(State.NEW)
    turn.say(message)
    return await survey.reshow(turn, back)


async def on_consent(turn: Turn) -> State:
    agreed = _decision(turn, ComplaintConsent)
    if agreed is None:
        buttons = _two(turn, ComplaintConsent, "button.agree", "button.decline")
        return _not_understood(turn, State.COMPLAINT_CONSENT, buttons)
    await _record(turn, COMPLAINT_CONSENT, agreed)
    if not agreed:
        return await _leave(turn, turn.t("complaint.declined"))
    return _ask_sensitive(turn)


async def on_sensitive(turn: Turn) -> State:
    agreed = _decision(turn, SensitiveConsent)
    if agreed is None:
        buttons = _two(turn, SensitiveConsent, "button.allow", "button.chat_only")
        return _not_understood(turn, State.COMPLAINT_SENSITIVE, buttons)
    await _record(turn, SENSITIVE_CONSENT, agreed)
    turn.complaint().sensitive = agreed
    return ask("category", turn)


def _not_understood(turn: Turn, state: State, buttons: Buttons) -> State:
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
    else:
        # The hint carries the question's buttons: the earlier copy's may be gone (Telegram).
        turn.say(turn.t("survey.hint.yesno"), buttons)
    return state


def ask(field: str, turn: Turn, *, prefix: str = "") -> State:
    """Show the question for `field` and return the state that waits for its answer."""
    question = BY_FIELD[field]
    text, buttons = question.prompt(turn)
    turn.say(prefix + text, buttons)
    return question.state


def _next(field: str, turn: Turn) -> State:
    """After `field` is answered: the following question, or the summary when correcting."""
    draft = turn.complaint()
    if draft.correcting:
        draft.correcting = False
        return summary(turn)
    question = following(field, draft)
    return summary(turn) if question is None else ask(question.field, turn)


async def on_answer(turn: Turn) -> State:
    """The step of every intake question: read the answer with the question's own reader."""
    question = BY_STATE[turn.dialogue.state]
    read = question.read(turn)
    if isinstance(read, Toast):
        turn.notice = turn.t("unknown.button")
        return turn.dialogue.state
    if isinstance(read, Stay):
        return turn.dialogue.state
    if isinstance(read, Again):
        return ask(question.field, turn, prefix=f"{read.hint}\n\n" if read.hint else "")
    draft = turn.complaint()
    for name, value in read.items():
        setattr(draft, name, value)
    return _next(question.field, turn)


def summary(turn: Turn) -> State:
    draft = turn.complaint()
    none = turn.t("complaint.none")
    contact_time = draft.contact_time_note or turn.t(f"complaint.contact_time.{draft.contact_time or 'any'}")
    if draft.contact:
        contact_time = f"{contact_time} · {draft.contact}"
    text = turn.t(
        "complaint.summary",
        category=turn.t(f"complaint.category.{draft.category or 'other'}"),
        order=draft.order_ref or none,
        product=draft.product or none,
        description=draft.description or none,
        photos=len(draft.photos),
        expectation=turn.t(f"complaint.expectation.{draft.expectation or 'other'}"),
        contact_time=contact_time,
    )
    buttons = (
        (Confirm("submit").button(turn.t("button.submit")),),
        (
            Confirm("correct").button(turn.t("button.correct")),
            Confirm("cancel").button(turn.t("button.cancel")),
        ),
    )
    turn.say(text, buttons)
    return State.COMPLAINT_CONFIRM


async def on_confirm(turn: Turn) -> State:
    event = turn.event
    confirm = event.pressed(Confirm)
    if confirm is not None and confirm.action == "submit":
        return await _submit(turn)
    if confirm is not None and confirm.action == "cancel":
        return await _leave(turn, turn.t("complaint.cancelled"))
    if confirm is not None and confirm.action == "correct":
        fields = correctable_in(turn.complaint())
        rows = tuple((Fix(name).button(turn.t(f"complaint.field.{name}")),) for name in fields)
        turn.say(turn.t("complaint.correct.prompt"), rows)
        return State.COMPLAINT_CORRECT
    if event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
        return State.COMPLAINT_CONFIRM
    return summary(turn)


async def on_correct(turn: Turn) -> State:
    fix = turn.event.pressed(Fix)
    field = fix.field if fix is not None and fix.field in correctable_in(turn.complaint()) else None
    if field is None:
        if turn.event.kind is EventKind.BUTTON:
            turn.notice = turn.t("unknown.button")
            return State.COMPLAINT_CORRECT
        return summary(turn)
    turn.complaint().correcting = True
    return ask(field, turn)


async def _submit(turn: Turn) -> State:
    return await _leave(turn, await open_ticket(turn))
