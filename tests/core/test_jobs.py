"""One registry of job kinds: each kind has one payload class, and the bot runs every kind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.jobs import DeskNote, JobPayload, SurveyReminder, ToCustomer


def test_a_payload_reads_back_what_it_wrote_and_drops_empty_fields() -> None:
    note = DeskNote(ticket="C-1", heading="claimed the ticket", actor="U1")
    assert note.document() == {"ticket": "C-1", "heading": "claimed the ticket", "actor": "U1"}
    assert DeskNote.read(note.document()) == note


def test_a_malformed_payload_is_refused_and_fields_of_older_versions_are_ignored() -> None:
    with pytest.raises(ValidationError):
        ToCustomer.read({"ticket": "C-1", "kind": "shout"})
    with pytest.raises(ValidationError):
        SurveyReminder.read({})
    # Jobs written before payloads referred to data by id carried the words; they still run.
    assert DeskNote.read({"ticket": "C-1", "words": "old text"}) == DeskNote(ticket="C-1")


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(TypeError, match="share the kind"):

        class Again(JobPayload):
            KIND = SurveyReminder.KIND
