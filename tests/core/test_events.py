"""Events survive their stay in the inbox unchanged, whatever they carry."""

from __future__ import annotations

import pytest

from core.events import DESK_CHANNEL, AgentAct, AgentAction, Attachment, EventKind, InboundEvent


@pytest.mark.parametrize("act", list(AgentAct))
def test_an_agent_action_round_trips_as_an_event_of_its_ticket(act: AgentAct) -> None:
    action = AgentAction(act, ticket_id="C-ABC123", agent="U0AGENT", text="Refund issued.")
    event = InboundEvent.from_agent(action, request="slack:view:V1:abc", reply_to="C-LOGISTICS")
    assert (event.kind, event.channel, event.chat_key, event.user_key) == (
        EventKind.AGENT,
        DESK_CHANNEL,
        "C-ABC123",
        "U0AGENT",
    )
    again = InboundEvent.from_document(event.to_document())
    assert again == event and again.agent == action


def test_events_without_an_action_keep_their_old_shape() -> None:
    event = InboundEvent(
        kind=EventKind.MEDIA,
        channel="telegram",
        chat_key="42",
        user_key="42",
        event_id="9",
        attachment=Attachment("photo", "file-1", 1200),
    )
    assert "agent" not in event.to_document()
    assert InboundEvent.from_document(event.to_document()) == event


def test_an_unknown_act_is_refused_when_read() -> None:
    with pytest.raises(ValueError):
        AgentAction.from_document({"act": "delete_everything", "ticket_id": "C-1", "agent": "U1"})
