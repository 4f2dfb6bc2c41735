"""The customer's side of an open ticket in their chat: agents' messages, proposals, follow-up."""

from __future__ import annotations

import logging

from conversations.dialogues import survey
from conversations.dialogues.detours import TicketReply
from conversations.dialogues.dialogue import State
from conversations.outbox import Op
from conversations.tickets.lifecycle import Refused, TicketLifecycle, history_entry
from conversations.translation import Translation
from conversations.turn import Turn
from core.events import EventKind, Outbound, Unprompted
from core.jobs import DeskNote, TicketFollowUp, ToCustomer
from core.payloads import FollowUp, FollowUpNoComment, FollowUpRating, Payload, Proposal, parse
from core.tickets import Status, Ticket
from locales.catalog import Catalogs, is_rtl

log = logging.getLogger("conversations.tickets.chat")
MAX_CUSTOMER_TEXT = 2000
# Where free text counts as a message about the open ticket rather than an answer to something.
IDLE_STATES = frozenset({State.NEW, State.COMPLETED, State.DECLINED, State.WITHDRAWN})
TICKET_BUTTONS = (Proposal, FollowUp, FollowUpRating, FollowUpNoComment)


def customer_messages(ticket: Ticket, kind: str, text: Translation, catalogs: Catalogs) -> list[Outbound]:
    """What the customer receives for an agent's action (already translated into their language)."""
    language, ticket_id = ticket.language or "en", ticket.id

    def t(key: str, **values: object) -> str:
        return catalogs.text(language, key, **values)

    words = text.text + (f"\n\n{t('complaint.machine_translated')}" if text.translated else "")
    rtl = is_rtl(language)
    why = Unprompted("followup" if kind == "followup" else "ticket", language, (ticket_id,))
    if kind == "reply":
        return [Outbound(t("complaint.agent_message", ticket=ticket_id, text=words), rtl=rtl, unprompted=why)]
    if kind == "proposal":
        buttons = (
            (
                Proposal(ticket_id, accepted=True).button(t("button.accept")),
                Proposal(ticket_id, accepted=False).button(t("button.reject")),
            ),
        )
        text_ = t("complaint.proposal", ticket=ticket_id, text=words)
        return [Outbound(text_, buttons, rtl=rtl, unprompted=why)]
    if kind == "resolved":
        return [Outbound(t("complaint.resolved", ticket=ticket_id, text=words), rtl=rtl, unprompted=why)]
    if kind == "followup":
        buttons = (
            (
                FollowUp(ticket_id, solved=True).button(t("button.solved")),
                FollowUp(ticket_id, solved=False).button(t("button.not_solved")),
            ),
        )
        return [Outbound(t("followup.question", ticket=ticket_id), buttons, rtl=rtl, unprompted=why)]
    raise ValueError(f"unknown customer message kind {kind!r}")


def lifecycle(turn: Turn) -> TicketLifecycle:
    return TicketLifecycle(store=turn.direct, policy=turn.config.complaints, clock=turn.config.clock)


def _request(turn: Turn) -> str:
    """The event's identity: a step run again (a lost race) finds its ticket entry and adds nothing."""
    return f"{turn.event.channel}:{turn.event.event_id}"


async def on_ticket_button(turn: Turn) -> State:
    """Accept/reject a proposal, answer a follow-up, rate the handling — from any state."""
    pressed = ticket_button(turn)
    here = turn.dialogue.state
    try:
        match pressed:
            case Proposal():
                return await _on_proposal(turn, pressed, here)
            case FollowUp():
                return await _on_follow_up(turn, pressed, here)
            case FollowUpRating() if 1 <= pressed.rating <= 5:
                await lifecycle(turn).follow_up_rating(
                    ticket_id=pressed.ticket, customer_id=turn.customer.id, rating=pressed.rating
                )
                _remember(turn, pressed.ticket, here)
                skip = ((FollowUpNoComment(pressed.ticket).button(turn.t("button.skip")),),)
                turn.say(turn.t("followup.comment"), skip)
                return State.FOLLOWUP_COMMENT
            case FollowUpNoComment() if here is State.FOLLOWUP_COMMENT:
                return await _back(turn, "followup.thanks")
    except Refused:
        log.info("ticket button refused (stale, answered already, or not this customer's)")
    turn.notice = turn.t("unknown.button")
    return here


def ticket_button(turn: Turn) -> Payload | None:
    """The ticket button this event pressed, or None."""
    if turn.event.kind is not EventKind.BUTTON:
        return None
    pressed = parse(turn.event.text)
    return pressed if isinstance(pressed, TICKET_BUTTONS) else None


async def _on_proposal(turn: Turn, pressed: Proposal, here: State) -> State:
    ticket_id = pressed.ticket
    if pressed.accepted:
        await lifecycle(turn).customer_accepts(
            ticket_id=ticket_id, customer_id=turn.customer.id, request=_request(turn)
        )
        turn.say_key("complaint.accepted", ticket=ticket_id)
        return here
    await _check_waiting(turn, ticket_id)
    _remember(turn, ticket_id, here)
    turn.say_key("complaint.reject.reason")
    return State.COMPLAINT_REJECT_REASON


async def _on_follow_up(turn: Turn, pressed: FollowUp, here: State) -> State:
    ticket_id = pressed.ticket
    await lifecycle(turn).follow_up_answer(
        ticket_id=ticket_id, customer_id=turn.customer.id, solved=pressed.solved, request=_request(turn)
    )
    if not pressed.solved:
        turn.say_key("followup.reopened", ticket=ticket_id)
    rows = tuple((FollowUpRating(ticket_id, n).button(turn.t(f"rating.{n}")),) for n in range(5, 0, -1))
    turn.say(turn.t("followup.rating"), rows)
    return here


async def _check_waiting(turn: Turn, ticket_id: str) -> None:
    ticket = await turn.reads.tickets.get(ticket_id=ticket_id)
    if ticket is None or ticket.customer_id != turn.customer.id:
        raise Refused("not this customer's ticket")
    if ticket.status is not Status.AWAITING_CUSTOMER:
        raise Refused("no proposal is waiting")


def _remember(turn: Turn, ticket_id: str, here: State) -> None:
    d = turn.dialogue
    back = d.return_to or here if here.value.startswith(("complaint_", "followup_")) else here
    d.detour, d.return_to = TicketReply(ticket=ticket_id), back


def _replying_to(turn: Turn) -> str:
    detour = turn.dialogue.detour
    return detour.ticket if isinstance(detour, TicketReply) else ""


async def _back(turn: Turn, key: str, **values: object) -> State:
    back = turn.leave_detour(State.NEW)
    turn.say_key(key, **values)
    return await survey.reshow(turn, back)


async def on_reject_reason(turn: Turn) -> State:
    if turn.event.kind is not EventKind.TEXT or not turn.event.text.strip():
        turn.say_key("complaint.reject.reason")
        return State.COMPLAINT_REJECT_REASON
    reason = turn.event.text.strip()[:MAX_CUSTOMER_TEXT]
    ticket_id = _replying_to(turn)
    try:
        await lifecycle(turn).customer_rejects(
            ticket_id=ticket_id, customer_id=turn.customer.id, reason=reason, request=_request(turn)
        )
    except Refused:
        log.info("rejection reason for a proposal no longer waiting; kept as a message instead")
        await _forward(turn, ticket_id, reason)
    return await _back(turn, "complaint.rejected")


async def on_followup_comment(turn: Turn) -> State:
    if turn.event.kind is not EventKind.TEXT or not turn.event.text.strip():
        turn.say_key("followup.comment")
        return State.FOLLOWUP_COMMENT
    ticket_id = _replying_to(turn)
    comment = turn.event.text.strip()[:MAX_CUSTOMER_TEXT]
    try:
        await lifecycle(turn).follow_up_rating(
            ticket_id=ticket_id, customer_id=turn.customer.id, comment=comment
        )
    except Refused:
        log.info("follow-up comment for a ticket that is gone")
    return await _back(turn, "followup.thanks")


async def forward_to_open_ticket(turn: Turn) -> State | None:
    """Free text in an idle chat with an open ticket goes to that ticket's agents; None otherwise."""
    if turn.event.kind is not EventKind.TEXT or turn.dialogue.state not in IDLE_STATES:
        return None
    tickets = await turn.reads.tickets.open_for_customer(customer_id=turn.customer.id)
    if not tickets:
        return None
    ticket_id = tickets[0].id
    await _forward(turn, ticket_id, turn.event.text.strip()[:MAX_CUSTOMER_TEXT])
    said = "complaint.message.forwarded" if turn.config.desk else "complaint.message.kept"
    turn.say_key(said, ticket=ticket_id)
    return turn.dialogue.state


async def _forward(turn: Turn, ticket_id: str, text: str) -> None:
    try:
        await lifecycle(turn).customer_writes(
            ticket_id=ticket_id, customer_id=turn.customer.id, text=text, request=_request(turn)
        )
    except Refused:
        log.info("message for a ticket that is gone was not forwarded")


async def on_agent_message_due(turn: Turn) -> State:
    """An agent's reply, proposal or resolution, in the customer's language, in the chat's order.

    The job names the ticket and its history entry; the words are read from there, so a customer
    who asks to be erased leaves nothing of them in the job.
    """
    job, here = ToCustomer.read(turn.event.timer), turn.dialogue.state
    ticket = await turn.reads.tickets.get(ticket_id=job.ticket)
    if ticket is None or ticket.customer_id != turn.customer.id:
        log.info("message for an erased ticket or customer dropped")
        return here
    entry_id = job.entry
    entry = history_entry(ticket, entry_id)
    text = (entry.text or "") if entry else ""
    if not text:
        log.info("message whose words were erased dropped")
        return here
    source = turn.config.agent_language
    target = ticket.language or source
    if turn.translator is None:
        shown = Translation(text, source, target, "none", text, False, None)
    else:
        shown = await turn.translator.translate(text, source=source, target=target)
    kind = job.kind
    turn.messages.extend(customer_messages(ticket, kind, shown, turn.catalogs))
    # What the customer read, kept on the ticket (and erased with it) for the agents' note.
    sent = entry_id or turn.event.event_id.rpartition(":")[2]
    ticket_id = ticket.id
    turn.outbox.add(
        Op.TICKET_FIELDS,
        ticket_id=ticket_id,
        changes={f"shown.{sent}": {"text": shown.text, "language": shown.target}},
    )
    heading = f"➡️ Sent to the customer ({kind}) in {shown.target}"
    # Shown with its translation back for the agents to check.
    note = DeskNote(
        ticket=ticket_id, heading=heading + (f" via {shown.provider}" if shown.translated else ""), shown=sent
    )
    await turn.outbox.put(note, key=turn.event.event_id.removeprefix("job:"), due_at=turn.config.clock())
    return here


async def on_followup_due(turn: Turn) -> State:
    """Days after closing: ask whether the problem is still solved, once, if the ticket is closed."""
    ticket = await turn.reads.tickets.get(ticket_id=TicketFollowUp.read(turn.event.timer).ticket)
    here = turn.dialogue.state
    mine = ticket is not None and ticket.customer_id == turn.customer.id
    if ticket is None or not mine or not ticket.closed:
        return here  # reopened, erased, or not this chat's ticket
    if ticket.followup is not None and ticket.followup.sent_at:
        return here
    language = ticket.language or turn.language
    nothing = Translation("", language, language, "none", "", False, None)
    turn.messages.extend(customer_messages(ticket, "followup", nothing, turn.catalogs))
    turn.outbox.add(
        Op.TICKET_FIELDS, ticket_id=ticket.id, changes={"followup.sent_at": turn.config.clock()}
    )
    return here

