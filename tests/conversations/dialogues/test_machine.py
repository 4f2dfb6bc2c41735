"""The dialogue's transition table: enforced in one place, and the diagram in the docs is its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.dialogues.dialogue import State
from conversations.dialogues.machine import (
    RETURNS,
    TRANSITIONS,
    IllegalTransition,
    diagrams,
    enforce,
    mermaid,
)
from conversations.interceptors import INTERCEPTORS
from conversations.tickets.lifecycle import TRANSITIONS as TICKET_TRANSITIONS
from core.tickets import Status

DOCS = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_every_state_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(State)


def test_a_step_may_not_jump_where_its_row_does_not_lead() -> None:
    with pytest.raises(IllegalTransition, match="from new to complaint_contact"):
        enforce(State.NEW, State.COMPLAINT_CONTACT, via=None)
    with pytest.raises(IllegalTransition):
        enforce(State.COMPLETED, State.SURVEY, via=None)  # a finished survey is never re-entered
    assert enforce(State.COMPLAINT_ORDER, State.COMPLAINT_PRODUCT, via=None) is State.COMPLAINT_PRODUCT
    assert enforce(State.DECLINED, State.DECLINED, via=None) is State.DECLINED


def test_a_detour_may_return_wherever_it_began() -> None:
    assert State.COMPLAINT_CONFIRM in RETURNS
    assert enforce(State.COMPLAINT_CONFIRM, State.DECLINED, via=None) is State.DECLINED
    assert State.COMPLAINT_ORDER not in RETURNS


def test_an_interceptor_is_held_to_its_own_targets() -> None:
    by_name = {interceptor.name: interceptor for interceptor in INTERCEPTORS}
    free_feedback = by_name["free feedback"]
    assert enforce(State.COMPLETED, State.FEEDBACK_CLASSIFY, via=free_feedback) is State.FEEDBACK_CLASSIFY
    with pytest.raises(IllegalTransition, match="free feedback"):
        enforce(State.COMPLETED, State.SURVEY, via=free_feedback)


def test_due_jobs_then_commands_are_tried_before_anything_else() -> None:
    assert [interceptor.name for interceptor in INTERCEPTORS[:2]] == ["timer", "command"]


def test_the_diagrams_in_the_docs_are_generated_from_the_tables() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, diagram in diagrams().items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        start, stop = text.index(begin) + len(begin), text.index(end)
        shown = text[start:stop].strip().removeprefix("```mermaid").removesuffix("```").strip()
        assert shown == diagram.strip(), "run: python -m conversations.dialogues.machine --write-docs"
    assert mermaid() in diagrams().values()


def test_every_ticket_status_has_a_row_and_closed_only_reopens() -> None:
    assert set(TICKET_TRANSITIONS) == set(Status)
    assert TICKET_TRANSITIONS[Status.CLOSED] == {Status.REOPENED}
    others = [targets for status, targets in TICKET_TRANSITIONS.items() if status is not Status.CLOSED]
    assert all(Status.REOPENED not in targets for targets in others)
