"""The customer dialogue as a state machine: each state's step, and the transitions it may make.

`STEPS` says which function handles an event in each state (when no interceptor took it);
`TRANSITIONS` says where each state's step may lead. `enforce` is the one place that checks a
move, for steps and interceptors alike, and refuses any other: a bug then fails one event (which
is retried and reported) instead of leaving a customer in a state nobody planned. The diagram in
docs/architecture.md is generated from these tables
(`python -m conversations.dialogues.machine --write-docs`; a test fails when it is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from conversations.dialogues import complaint, feedback
from conversations.dialogues.complaint_intake import BY_FIELD, CORRECTABLE, INTAKE, leads_to
from conversations.dialogues.dialogue import State
from conversations.dialogues.privacy import on_confirm_delete
from conversations.dialogues.start_payload import StartPayload
from conversations.dialogues.survey import offer_consent, on_consent, on_resume, on_survey
from conversations.tickets import chat as ticket_chat
from conversations.turn import Step, Turn
from core.events import EventKind

if TYPE_CHECKING:
    from conversations.interceptors import Interceptor



class IllegalTransition(RuntimeError):
    """A step or interceptor tried a move its table does not allow."""


async def on_new(turn: Turn) -> State:
    event = turn.event
    if event.kind is EventKind.BUTTON and event.text in {"consent:yes", "consent:no"} and event.message_ref:
        # The prompt was shown without storing anything (an anonymous web visitor): the decision is
        # the first thing stored. Offered again here, unshown, so the answer is taken as from it.
        await offer_consent(turn, StartPayload())
        turn.messages.clear()
        return await on_consent(turn)
    if event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
        return State.NEW
    return await offer_consent(turn, StartPayload())


async def on_completed(turn: Turn) -> State:
    return _idle(turn, "done.already")


async def on_declined(turn: Turn) -> State:
    return _idle(turn, "idle.prompt")


async def on_withdrawn(turn: Turn) -> State:
    return _idle(turn, "stopped.reminder")


def _idle(turn: Turn, key: str) -> State:
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
    else:
        turn.say_key(key)
    return turn.dialogue.state


STEPS: dict[State, Step] = {
    State.NEW: on_new,
    State.CONSENT: on_consent,
    State.SURVEY: on_survey,
    State.RESUME: on_resume,
    State.CONFIRM_DELETE: on_confirm_delete,
    State.COMPLETED: on_completed,
    State.DECLINED: on_declined,
    State.WITHDRAWN: on_withdrawn,
    State.COMPLAINT_CONSENT: complaint.on_consent,
    State.COMPLAINT_SENSITIVE: complaint.on_sensitive,
    **{question.state: complaint.on_answer for question in INTAKE},
    State.COMPLAINT_CONFIRM: complaint.on_confirm,
    State.COMPLAINT_CORRECT: complaint.on_correct,
    State.COMPLAINT_REJECT_REASON: ticket_chat.on_reject_reason,
    State.FOLLOWUP_COMMENT: ticket_chat.on_followup_comment,
    State.FEEDBACK_CLASSIFY: feedback.on_classify,
}


def enforce(before: State, after: State, *, via: Interceptor | None) -> State:
    """`after`, if `before` may move there (by the state's step, or by interceptor `via`)."""
    if after is before or (via is None and before in RETURNS):
        return after
    allowed = via.leads_to if via is not None else TRANSITIONS[before]
    if after not in allowed:
        by = f"interceptor {via.name!r}" if via is not None else f"the step of {before.value}"
        raise IllegalTransition(f"{by} may not move a chat from {before.value} to {after.value}")
    return after


def _to(*states: State) -> frozenset[State]:
    return frozenset(states)


# Where each state's own step may lead (staying is always allowed). Read it as the survey,
# then the complaint intake in the order of its questions (a correction jumps back to one
# question and returns to the summary), then the short detours.
TRANSITIONS: dict[State, frozenset[State]] = {
    # SURVEY, DECLINED, COMPLETED: a decision on a prompt that was shown but not stored (web visitors).
    State.NEW: _to(State.CONSENT, State.SURVEY, State.DECLINED, State.COMPLETED),
    # COMPLETED straight away when every question of the questionnaire is hidden.
    State.CONSENT: _to(State.SURVEY, State.DECLINED, State.COMPLETED),
    State.SURVEY: _to(State.COMPLETED),
    State.RESUME: _to(State.SURVEY, State.COMPLETED),
    State.COMPLETED: _to(),
    State.DECLINED: _to(),
    State.WITHDRAWN: _to(),
    State.CONFIRM_DELETE: _to(State.NEW),
    State.COMPLAINT_CONSENT: _to(State.COMPLAINT_SENSITIVE),
    State.COMPLAINT_SENSITIVE: _to(INTAKE[0].state),
    # The intake's questions, from its table (conversations/dialogues/complaint_intake.py): each may lead to
    # a later one (some are skipped: a description given already, contact details without the
    # sensitive-data consent) or to the summary; a correction asks one and returns to the summary.
    **{question.state: leads_to(question.state) for question in INTAKE},
    State.COMPLAINT_CONFIRM: _to(State.COMPLAINT_CORRECT),
    State.COMPLAINT_CORRECT: _to(
        *(BY_FIELD[field].state for field in CORRECTABLE), State.COMPLAINT_CONFIRM
    ),
    State.COMPLAINT_REJECT_REASON: _to(),
    State.FOLLOWUP_COMMENT: _to(),
    State.FEEDBACK_CLASSIFY: _to(State.COMPLAINT_CONSENT),
}

# Detours that end by going back to where the chat was when they began (kept in the dialogue):
# any state, so their step may return to any. The survey is one for an admin's preview.
RETURNS: frozenset[State] = frozenset(
    {
        State.SURVEY,
        State.RESUME,
        State.CONFIRM_DELETE,
        State.COMPLAINT_CONSENT,
        State.COMPLAINT_CONFIRM,
        State.COMPLAINT_REJECT_REASON,
        State.FOLLOWUP_COMMENT,
        State.FEEDBACK_CLASSIFY,
    }
)
BACK = "back where it began"


def mermaid() -> str:
    """The dialogue's state diagram (Mermaid), generated from the tables above."""
    from conversations.interceptors import INTERCEPTORS

    lines = ["stateDiagram-v2", "    [*] --> new"]
    for before in State:
        for after in sorted(TRANSITIONS[before], key=list(State).index):
            lines.append(f"    {before.value} --> {after.value}")
        if before in RETURNS:
            lines.append(f"    {before.value} --> back: {BACK}")
    for interceptor in INTERCEPTORS:
        for after in sorted(interceptor.leads_to, key=list(State).index):
            lines.append(f"    any --> {after.value}: {interceptor.name}")
    lines += ["    state \"any state\" as any", f"    state \"{BACK}\" as back"]
    return "\n".join(lines) + "\n"


def diagrams() -> dict[str, str]:
    """Each machine's diagram by the name of its markers in the docs."""
    from conversations.admin import builder, review
    from conversations.tickets import lifecycle as ticket_lifecycle

    return {
        "dialogue-diagram": mermaid(),
        "ticket-diagram": ticket_lifecycle.mermaid(),
        "builder-diagram": builder.mermaid(),
        "review-diagram": review.mermaid(),
    }


def write_docs(path: Path) -> None:
    """Put each diagram between its markers in the architecture page."""
    text = path.read_text(encoding="utf-8")
    for name, diagram in diagrams().items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        head, found, rest = text.partition(begin)
        _, found_end, tail = rest.partition(end)
        if not (found and found_end):
            raise SystemExit(f"{path}: the markers of {name} are missing")
        text = f"{head}{begin}\n```mermaid\n{diagram}```\n{end}{tail}"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-docs"]:
        write_docs(Path(__file__).resolve().parents[2] / "docs" / "architecture.md")
    else:
        sys.stdout.write("\n".join(diagrams().values()))
