"""An agent's action event (from the desk) applied to its ticket: the lifecycle decides, the reply says how.

The event is in the inbox before this runs and is marked done only after it: a worker that dies in
between leaves it to be replayed, and the lifecycle recognises the request by its history entry, so
the replay adds nothing to the ticket and schedules the same keyed jobs again (a no-op when they are
there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from conversations.tickets.lifecycle import Outcome, Refused, TicketLifecycle
from conversations.tickets.policy import ComplaintPolicy
from conversations.turn import Reply
from core.events import AgentAct, InboundEvent, Outbound
from storage.store import Store

log = logging.getLogger("conversations.tickets.agent_actions")


async def apply_agent_action(
    event: InboundEvent, *, store: Store, policy: ComplaintPolicy, clock: Callable[[], datetime]
) -> Reply:
    """The reply is for the agent: why it was refused as its one message, or what was done as its notice."""
    action = event.agent
    if action is None:
        log.warning("agent event %s carries no action; ignored", event.event_id)
        return Reply(messages=(Outbound(text="This action could not be read."),))
    lifecycle = TicketLifecycle(store=store, policy=policy, clock=clock)
    ticket, agent, text, request = action.ticket_id, action.agent, action.text, event.event_id
    try:
        outcome: Outcome
        match action.act:
            case AgentAct.CLAIM:
                outcome = await lifecycle.claim(ticket_id=ticket, agent=agent, request=request)
            case AgentAct.REPLY:
                outcome = await lifecycle.reply(ticket_id=ticket, agent=agent, text=text, request=request)
            case AgentAct.PROPOSE:
                outcome = await lifecycle.propose(ticket_id=ticket, agent=agent, text=text, request=request)
            case AgentAct.RESOLVE:
                outcome = await lifecycle.resolve(ticket_id=ticket, agent=agent, text=text, request=request)
            case AgentAct.RECLASSIFY:
                outcome = await lifecycle.reclassify(
                    ticket_id=ticket, agent=agent, category=text, request=request
                )
            case AgentAct.ESCALATE:
                outcome = await lifecycle.escalate(
                    ticket_id=ticket, agent=agent, reason=text, request=request
                )
    except Refused as refusal:
        log.warning("agent action refused (%s)", refusal)
        return Reply(messages=(Outbound(text=str(refusal)),))
    if outcome.replayed:
        log.warning("agent action ignored: the same Slack request was acted on already (a replay)")
    else:
        log.info("agent action done: %s", outcome.note)
    return Reply(notice=outcome.note)
