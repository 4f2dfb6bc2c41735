"""The customer's side of an open ticket in their chat: agents' messages, proposals, follow-up."""

from __future__ import annotations

import logging

from conversations import survey
from conversations.dialogue import State
from conversations.outbox import Op
from conversations.ticket_lifecycle import Refused, Status, TicketLifecycle
from conversations.translation import Translation
from conversations.turn import Turn
from core.events import Choice, EventKind, Outbound, Unprompted
from locales.catalog import Catalogs, is_rtl
from storage.types import Document

log = logging.getLogger("conversations.ticket_chat")
MAX_CUSTOMER_TEXT = 2000
# Where free text counts as a message about the open ticket rather than an answer to something.
IDLE_STATES = frozenset({State.NEW, State.COMPLETED, State.DECLINED, State.WITHDRAWN})
TICKET_BUTTONS = ("prop:", "fu:", "fur:", "fuc:")


def customer_messages(ticket: Document, kind: str, text: Translation, catalogs: Catalogs) -> list[Outbound]:
    """What the customer receives for an agent's action (already translated into their language)."""
    language, ticket_id = str(ticket.get("language") or "en"), str(ticket["_id"])

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
                Choice(t("button.accept"), f"prop:{ticket_id}:yes"),
                Choice(t("button.reject"), f"prop:{ticket_id}:no"),
            ),
        )
        text_ = t("complaint.proposal", ticket=ticket_id, text=words)
        return [Outbound(text_, buttons, rtl=rtl, unprompted=why)]
    if kind == "resolved":
        return [Outbound(t("complaint.resolved", ticket=ticket_id, text=words), rtl=rtl, unprompted=why)]
    if kind == "followup":
        buttons = (
            (
                Choice(t("button.solved"), f"fu:{ticket_id}:yes"),
                Choice(t("button.not_solved"), f"fu:{ticket_id}:no"),
            ),
        )
        return [Outbound(t("followup.question", ticket=ticket_id), buttons, rtl=rtl, unprompted=why)]
    raise ValueError(f"unknown customer message kind {kind!r}")


def lifecycle(turn: Turn) -> TicketLifecycle:
    return TicketLifecycle(store=turn.store, policy=turn.config.complaints, clock=turn.config.clock)


def _request(turn: Turn) -> str:
    """The event's identity: a step run again (a lost race) finds its ticket entry and adds nothing."""
    return f"{turn.event.channel}:{turn.event.event_id}"


async def on_ticket_button(turn: Turn) -> State:
    """Accept/reject a proposal, answer a follow-up, rate the handling — from any state."""
    action, _, rest = turn.event.text.partition(":")
    ticket_id, _, value = rest.partition(":")
    here = turn.dialogue.state
    try:
        if action == "prop" and value in {"yes", "no"}:
            if value == "yes":
                await lifecycle(turn).customer_accepts(
                    ticket_id=ticket_id, customer_id=turn.customer.id, request=_request(turn)
                )
                turn.say_key("complaint.accepted", ticket=ticket_id)
                return here
            await _check_waiting(turn, ticket_id)
            _remember(turn, ticket_id, here)
            turn.say_key("complaint.reject.reason")
            return State.COMPLAINT_REJECT_REASON
        if action == "fu" and value in {"yes", "no"}:
            await lifecycle(turn).follow_up_answer(
                ticket_id=ticket_id,
                customer_id=turn.customer.id,
                solved=value == "yes",
                request=_request(turn),
            )
            if value == "no":
                turn.say_key("followup.reopened", ticket=ticket_id)
            rows = [[Choice(turn.t(f"rating.{n}"), f"fur:{ticket_id}:{n}")] for n in range(5, 0, -1)]
            turn.say(turn.t("followup.rating"), tuple(tuple(row) for row in rows))
            return here
        if action == "fur" and value in {"1", "2", "3", "4", "5"}:
            await lifecycle(turn).follow_up_rating(
                ticket_id=ticket_id, customer_id=turn.customer.id, rating=int(value)
            )
            _remember(turn, ticket_id, here)
            skip = ((Choice(turn.t("button.skip"), f"fuc:{ticket_id}:skip"),),)
            turn.say(turn.t("followup.comment"), skip)
            return State.FOLLOWUP_COMMENT
        if action == "fuc" and value == "skip" and here is State.FOLLOWUP_COMMENT:
            return await _back(turn, "followup.thanks")
    except Refused:
        log.info("ticket button refused (stale, answered already, or not this customer's)")
    turn.notice = turn.t("unknown.button")
    return here


async def _check_waiting(turn: Turn, ticket_id: str) -> None:
    ticket = await turn.store.tickets.get(ticket_id=ticket_id)
    if ticket is None or ticket.get("customer_id") != turn.customer.id:
        raise Refused("not this customer's ticket")
    if ticket.get("status") != Status.AWAITING_CUSTOMER:
        raise Refused("no proposal is waiting")


def _remember(turn: Turn, ticket_id: str, here: State) -> None:
    back = (
        turn.dialogue.draft.get("from_state", here.value)
        if here.value.startswith(("complaint_", "followup_"))
        else here.value
    )
    turn.dialogue.draft = {"ticket": ticket_id, "from_state": back}


async def _back(turn: Turn, key: str, **values: object) -> State:
    back = State(turn.dialogue.draft.get("from_state", State.NEW.value))
    turn.dialogue.draft = {}
    turn.say_key(key, **values)
    return await survey.reshow(turn, back)


async def on_reject_reason(turn: Turn) -> State:
    if turn.event.kind is not EventKind.TEXT or not turn.event.text.strip():
        turn.say_key("complaint.reject.reason")
        return State.COMPLAINT_REJECT_REASON
    reason = turn.event.text.strip()[:MAX_CUSTOMER_TEXT]
    ticket_id = str(turn.dialogue.draft.get("ticket"))
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
    ticket_id = str(turn.dialogue.draft.get("ticket"))
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
    tickets = await turn.store.tickets.open_for_customer(customer_id=turn.customer.id)
    if not tickets:
        return None
    ticket_id = str(tickets[0]["_id"])
    await _forward(turn, ticket_id, turn.event.text.strip()[:MAX_CUSTOMER_TEXT])
    turn.say_key("complaint.message.forwarded", ticket=ticket_id)
    return turn.dialogue.state


async def _forward(turn: Turn, ticket_id: str, text: str) -> None:
    try:
        await lifecycle(turn).customer_writes(
            ticket_id=ticket_id, customer_id=turn.customer.id, text=text, request=_request(turn)
        )
    except Refused:
        log.info("message for a ticket that is gone was not forwarded")


async def on_followup_due(turn: Turn) -> State:
    """Days after closing: ask whether the problem is still solved, once, if the ticket is closed."""
    ticket = await turn.store.tickets.get(ticket_id=str(turn.event.timer.get("ticket")))
    here = turn.dialogue.state
    mine = ticket is not None and ticket.get("customer_id") == turn.customer.id
    if ticket is None or not mine or ticket.get("status") != Status.CLOSED:
        return here  # reopened, erased, or not this chat's ticket
    if (ticket.get("followup") or {}).get("sent_at"):
        return here
    language = str(ticket.get("language") or turn.language)
    nothing = Translation("", language, language, "none", "", False, None)
    turn.messages.extend(customer_messages(ticket, "followup", nothing, turn.catalogs))
    turn.outbox.add(
        Op.TICKET_FIELDS, ticket_id=str(ticket["_id"]), changes={"followup.sent_at": turn.config.clock()}
    )
    return here

