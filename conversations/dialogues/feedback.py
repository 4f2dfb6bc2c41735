"""Free messages written outside any dialogue: the customer says with one tap what they are.

Every piece of feedback must be classified (complaint, suggestion or praise). The customer's tap is
both the classification and their agreement to pass the message on; a complaint continues as a
complaint (consent first, the message becomes its description), the others reach the team.
"""

from __future__ import annotations

from conversations.detection import detect
from conversations.dialogues import complaint, survey
from conversations.dialogues.detours import FeedbackDraft
from conversations.dialogues.dialogue import State
from conversations.outbox import Op
from conversations.rendering import text_version
from conversations.turn import Turn
from core.events import EventKind
from core.jobs import FeedbackForward
from core.payloads import FeedbackKind
from storage.consents import Decision

FORWARD = FeedbackForward.KIND
KINDS = ("complaint", "suggestion", "praise")
CANCEL = "none"
MAX_TEXT = 2000
# Chats here have finished or declined a survey; free text in them is feedback to classify.
CLASSIFIED_FROM = frozenset({State.COMPLETED, State.DECLINED})


def ask_kind(turn: Turn) -> State | None:
    """Offer the three kinds for a free message; None when this state does not take feedback."""
    d, event = turn.dialogue, turn.event
    if event.kind is not EventKind.TEXT or d.state not in CLASSIFIED_FROM or not event.text.strip():
        return None
    d.detour, d.return_to = FeedbackDraft(text=event.text.strip()[:MAX_TEXT]), d.state
    _prompt(turn)
    return State.FEEDBACK_CLASSIFY


def _text(turn: Turn) -> str:
    detour = turn.dialogue.detour
    return detour.text if isinstance(detour, FeedbackDraft) else ""


def _prompt(turn: Turn) -> None:
    choices = tuple(FeedbackKind(kind).button(turn.t(f"classify.{kind}")) for kind in KINDS)
    # "Cancel" for a greeting or a slip: nothing is kept or passed on.
    turn.say(turn.t("classify.prompt"), (choices, (FeedbackKind(CANCEL).button(turn.t("button.cancel")),)))


async def on_classify(turn: Turn) -> State:
    event, d = turn.event, turn.dialogue
    if event.kind is EventKind.TEXT and event.text.strip():
        # More words before choosing: they belong to the same message.
        joined = f"{_text(turn)}\n{event.text.strip()}".strip()
        d.detour = FeedbackDraft(text=joined[:MAX_TEXT])
        _prompt(turn)
        return State.FEEDBACK_CLASSIFY
    pressed = event.pressed(FeedbackKind)
    kind = "" if pressed is None else pressed.kind
    if kind == CANCEL:
        back = turn.leave_detour(State.COMPLETED)
        turn.say(turn.t("classify.prompt"), edit_ref=turn.pressed_ref())
        turn.say_key("done.already" if back is State.COMPLETED else "idle.prompt")
        return back
    if kind not in KINDS:
        if event.kind is EventKind.BUTTON:
            turn.notice = turn.t("unknown.button")
        else:
            _prompt(turn)
        return State.FEEDBACK_CLASSIFY
    text = _text(turn)
    back = turn.leave_detour(State.COMPLETED)
    turn.say(f"{turn.t('classify.prompt')}\n\n✓ {turn.t(f'classify.{kind}')}", edit_ref=turn.pressed_ref())
    if kind == "complaint":
        d.state = back
        started = await complaint.start_complaint(turn)
        turn.complaint().description = text
        return started
    await _pass_on(turn, kind, text)
    turn.say_key(f"classify.{kind}.thanks" if turn.config.desk else f"classify.{kind}.kept")
    return await survey.reshow(turn, back)


async def _pass_on(turn: Turn, kind: str, text: str) -> None:
    now = turn.config.clock()
    feedback_id = f"{turn.event.channel}:{turn.event.event_id}"
    turn.outbox.add(
        Op.CONSENT,
        entry_id=f"{feedback_id}:feedback",
        customer_id=turn.customer.id,
        kind="feedback",
        text_version=text_version(turn.t("classify.prompt")),
        language=turn.language,
        channel=turn.event.channel,
        decision=Decision.GRANTED.value,
        at=now,
    )
    written_in = detect(text)
    turn.outbox.add(
        Op.FEEDBACK,
        feedback_id=feedback_id,
        customer_id=turn.customer.id,
        kind=kind,
        text=text,
        language=written_in.language if written_in and written_in.confident else turn.language,
        channel=turn.event.channel,
        received_at=now,
        classified_at=now,
    )
    await turn.outbox.put(FeedbackForward(feedback=feedback_id), key=feedback_id, due_at=now)
