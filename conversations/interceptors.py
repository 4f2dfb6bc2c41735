"""What is handled the same way in every state, in the order it is tried.

Each interceptor looks at the event and either handles it (returning the next state) or passes
(None). The first that handles an event wins; an event no interceptor takes goes to the current
state's own step (conversations/dialogues/machine.py). The states each interceptor may lead to are declared
beside it, and the machine refuses any other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from conversations.admin.builder import on_builder
from conversations.admin.review import ADMIN_NOTICE, on_notice_due
from conversations.dialogues import complaint, feedback, invitations, survey
from conversations.dialogues.commands import COMMANDS, on_admin_button, on_language_menu, on_review_reason
from conversations.dialogues.dialogue import State
from conversations.dialogues.invitations import open_invitation
from conversations.dialogues.survey import reshow
from conversations.outbox import Op
from conversations.tickets import chat as ticket_chat
from conversations.tickets.lifecycle import FOLLOWUP, TO_CUSTOMER
from conversations.turn import Turn
from core.events import EventKind
from core.payloads import ComplaintOffer, LanguageMenu, PickLanguage, ReportProblem, ShowHeld, TakeSurvey

log = logging.getLogger("conversations.interceptors")

Run = Callable[[Turn], Awaitable[State | None]]


@dataclass(frozen=True, slots=True)
class Interceptor:
    name: str
    run: Run
    leads_to: frozenset[State]
    """States this interceptor may move a chat to (staying where it is is always allowed)."""


# Due jobs of a chat, by kind: the dialogue that owns the rule decides and words it.
TIMERS: dict[str, Callable[[Turn], Awaitable[State]]] = {
    survey.REMIND: survey.on_reminder,
    FOLLOWUP: ticket_chat.on_followup_due,
    TO_CUSTOMER: ticket_chat.on_agent_message_due,
    invitations.SEND: invitations.on_invitation_due,
    ADMIN_NOTICE: on_notice_due,
}


async def _timer(turn: Turn) -> State | None:
    if turn.event.kind is not EventKind.TIMER:
        return None
    rule = TIMERS.get(turn.event.text)
    if rule is None:
        log.warning("no rule for due job kind %s; ignored", turn.event.text)
        return turn.dialogue.state
    return await rule(turn)


async def _command(turn: Turn) -> State | None:
    if turn.event.kind is not EventKind.COMMAND:
        return None
    command = COMMANDS.get(turn.event.command)
    if command is None:
        turn.say_key("unknown.command")
        return turn.dialogue.state
    return await command(turn)


async def _show_held(turn: Turn) -> State | None:
    # The channel itself delivers what it held for this chat; the dialogue does not move.
    return turn.dialogue.state if turn.event.pressed(ShowHeld) else None


async def _language_menu(turn: Turn) -> State | None:
    return await on_language_menu(turn) if turn.event.pressed(LanguageMenu) else None


async def _complain_button(turn: Turn) -> State | None:
    """"Report a problem" under the consent request, or the answer to the offer after a low rating."""
    if turn.event.pressed(ReportProblem):
        return await complaint.start_complaint(turn, rating=None)
    offer = turn.event.pressed(ComplaintOffer)
    if offer is None:
        return None
    if offer.rating is None:
        if turn.pressed_ref() is not None:
            turn.say(f"{turn.t('complaint.offer')}\n\n✓ {turn.t('button.no')}", edit_ref=turn.pressed_ref())
        turn.say_key("complaint.declined")
        return turn.dialogue.state
    return await complaint.start_complaint(turn, rating=offer.rating)


async def _invitation(turn: Turn) -> State | None:
    pressed = turn.event.pressed(TakeSurvey)
    return None if pressed is None else await open_invitation(turn, pressed.invitation)


async def _ticket_button(turn: Turn) -> State | None:
    if ticket_chat.ticket_button(turn) is not None:
        return await ticket_chat.on_ticket_button(turn)
    return None


async def _switch_language(turn: Turn) -> State | None:
    pressed = turn.event.pressed(PickLanguage)
    if pressed is None:
        return None
    code = pressed.code
    if not turn.catalogs.has(code):
        turn.notice = turn.t("unknown.button")
        return turn.dialogue.state
    turn.outbox.add(Op.LANGUAGE, customer_id=turn.customer.id, language=code, explicit=True)
    turn.language = code
    turn.say(turn.t("language.set"), edit_ref=turn.pressed_ref())
    in_complaint = complaint.reshow(turn, turn.dialogue.state)
    return in_complaint if in_complaint is not None else await reshow(turn, turn.dialogue.state)


async def _unsupported(turn: Turn) -> State | None:
    event = turn.event
    photo_welcome = turn.dialogue.state is State.COMPLAINT_DESCRIPTION and event.kind is EventKind.MEDIA
    if event.kind in {EventKind.MEDIA, EventKind.UNSUPPORTED} and not photo_welcome:
        turn.say_key("unsupported.media")
        return turn.dialogue.state
    return None


async def _to_open_ticket(turn: Turn) -> State | None:
    return await ticket_chat.forward_to_open_ticket(turn)


async def _classify_feedback(turn: Turn) -> State | None:
    return feedback.ask_kind(turn)


# /start (consent, or resume a survey), /complain, /stop, /delete, /admin preview.
_COMMANDS = frozenset(
    {
        State.CONSENT,
        State.RESUME,
        State.COMPLAINT_CONSENT,
        State.WITHDRAWN,
        State.CONFIRM_DELETE,
        State.SURVEY,
        State.COMPLETED,
    }
)

INTERCEPTORS: tuple[Interceptor, ...] = (
    Interceptor("timer", _timer, frozenset()),
    Interceptor("command", _command, _COMMANDS),
    Interceptor("review reason", on_review_reason, frozenset()),
    # An admin building a questionnaire: their typed wording and the builder's buttons go to it.
    Interceptor("questionnaire builder", on_builder, frozenset()),
    Interceptor("admin button", on_admin_button, frozenset({State.SURVEY})),  # Preview runs the survey
    Interceptor("show held messages", _show_held, frozenset()),
    Interceptor("language menu", _language_menu, frozenset()),
    Interceptor("complaint button", _complain_button, frozenset({State.COMPLAINT_CONSENT})),
    Interceptor("invitation", _invitation, frozenset({State.CONSENT})),
    # A resumed survey shows its question again, so it is in the survey again.
    Interceptor(
        "ticket button",
        _ticket_button,
        frozenset({State.COMPLAINT_REJECT_REASON, State.FOLLOWUP_COMMENT, State.SURVEY}),
    ),
    Interceptor("language switch", _switch_language, frozenset({State.SURVEY})),
    Interceptor("unsupported message", _unsupported, frozenset()),
    Interceptor("message about an open ticket", _to_open_ticket, frozenset()),
    Interceptor("free feedback", _classify_feedback, frozenset({State.FEEDBACK_CLASSIFY})),
)
