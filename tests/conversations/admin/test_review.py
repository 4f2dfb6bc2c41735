"""The review machine's table: where each admin step may start, and the refusals admins read."""

from __future__ import annotations

import pytest

from conversations.admin.documents import AdminError
from conversations.admin.review import REVIEW, ReviewStep, enforce
from core.questionnaire_drafts import DraftStatus, QuestionnaireDraft


def copy(status: DraftStatus) -> QuestionnaireDraft:
    return QuestionnaireDraft(id="pulse", definition={}, status=status, version=1)


def test_every_step_has_a_row_and_only_publish_publishes() -> None:
    assert set(REVIEW) == set(ReviewStep)
    assert [step for step, move in REVIEW.items() if move.to is DraftStatus.PUBLISHED] == [ReviewStep.PUBLISH]
    assert REVIEW[ReviewStep.CLOSE].starts == set(DraftStatus)


def test_rejecting_goes_back_to_draft_but_editing_a_submitted_copy_is_refused() -> None:
    assert enforce(ReviewStep.REJECT, copy(DraftStatus.SUBMITTED)) is DraftStatus.DRAFT
    with pytest.raises(AdminError, match="pulse is submitted; reject it back to draft before editing"):
        enforce(ReviewStep.EDIT, copy(DraftStatus.SUBMITTED))
    assert enforce(ReviewStep.EDIT, copy(DraftStatus.PUBLISHED)) is DraftStatus.DRAFT


@pytest.mark.parametrize(
    ("step", "status", "refusal"),
    [
        (ReviewStep.SUBMIT, DraftStatus.APPROVED, "pulse is approved, not draft"),
        (ReviewStep.APPROVE, DraftStatus.DRAFT, "pulse is draft, not submitted"),
        (ReviewStep.PUBLISH, DraftStatus.SUBMITTED, "pulse is submitted, not approved"),
        (ReviewStep.EDIT, DraftStatus.CLOSED, "pulse is closed; copy it to a new id to change it"),
    ],
)
def test_a_step_from_the_wrong_status_is_refused_with_the_admins_answer(
    step: ReviewStep, status: DraftStatus, refusal: str
) -> None:
    with pytest.raises(AdminError) as refused:
        enforce(step, copy(status))
    assert str(refused.value) == refusal
