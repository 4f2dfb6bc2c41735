"""A questionnaire's review: the machine its working copy moves through, and who is told when it is
submitted, rejected or approved.

`REVIEW` says from which statuses each admin step may start and where it leaves the working copy;
`enforce` is the one place that checks it. Admin commands decide the notices (`AdminNotice`); each
becomes a due job for the recipient's chat, so the recipient's own dialogue words it
(`on_notice_due`) with its buttons, once, at the channel's pace, even if this worker dies first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from conversations.admin.documents import AdminError
from conversations.dialogues.dialogue import State
from conversations.turn import Turn
from core.admin_payloads import ReviewAction
from core.events import Choice
from core.jobs import AdminNoticeJob
from core.questionnaire_drafts import DraftStatus, QuestionnaireDraft

ADMIN_NOTICE = AdminNoticeJob.KIND
# Channels whose admins have a private chat with the bot to receive notices in.
NOTIFIED_CHANNELS = frozenset({"telegram", "slack"})
About = Literal["review", "rejected", "approved"]


class ReviewStep(StrEnum):
    """What an admin does to a working copy (the admin command of the same name)."""

    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Move:
    starts: frozenset[DraftStatus]
    to: DraftStatus


def _from(*statuses: DraftStatus) -> frozenset[DraftStatus]:
    return frozenset(statuses)


# Keyed by step, not by status: a copy goes back from submitted to draft when rejected, but an edit may
# not take it there. Who may approve (another admin than its authors) is checked by `approve` itself.
REVIEW: dict[ReviewStep, Move] = {
    ReviewStep.EDIT: Move(_from(DraftStatus.DRAFT, DraftStatus.PUBLISHED), DraftStatus.DRAFT),
    ReviewStep.SUBMIT: Move(_from(DraftStatus.DRAFT), DraftStatus.SUBMITTED),
    ReviewStep.APPROVE: Move(_from(DraftStatus.SUBMITTED), DraftStatus.APPROVED),
    ReviewStep.REJECT: Move(_from(DraftStatus.SUBMITTED), DraftStatus.DRAFT),
    ReviewStep.PUBLISH: Move(_from(DraftStatus.APPROVED), DraftStatus.PUBLISHED),
    ReviewStep.CLOSE: Move(_from(*DraftStatus), DraftStatus.CLOSED),
}


def enforce(step: ReviewStep, draft: QuestionnaireDraft) -> DraftStatus:
    """Where `step` leaves `draft`; refused (AdminError, the admin's answer) when it may not start there."""
    move = REVIEW[step]
    if draft.status in move.starts:
        return move.to
    if step is ReviewStep.EDIT and draft.status is DraftStatus.CLOSED:
        raise AdminError(f"{draft.id} is closed; copy it to a new id to change it")
    if step is ReviewStep.EDIT:
        raise AdminError(f"{draft.id} is {draft.status}; reject it back to draft before editing")
    allowed = " or ".join(status.value for status in DraftStatus if status in move.starts)
    raise AdminError(f"{draft.id} is {draft.status}, not {allowed}")


def mermaid() -> str:
    """The review's state diagram (Mermaid), generated from REVIEW."""
    lines = ["stateDiagram-v2", f"    [*] --> {DraftStatus.DRAFT.value}"]
    for step, move in REVIEW.items():
        lines += [
            f"    {start.value} --> {move.to.value}: {step.value}"
            for start in DraftStatus
            if start in move.starts
        ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class AdminNotice:
    to: str  # "<channel>:<user key>" of the admin told
    about: About
    questionnaire: str
    by: str
    reason: str = ""

    def job(self, *, cause: str) -> tuple[AdminNoticeJob, str] | None:
        """The job that tells `to` and its key (one per cause and recipient); None for a channel
        without chats."""
        channel, _, chat_key = self.to.partition(":")
        if channel not in NOTIFIED_CHANNELS or not chat_key:
            return None
        job = AdminNoticeJob(
            channel=channel,
            chat_key=chat_key,
            about=self.about,
            questionnaire=self.questionnaire,
            by=self.by,
            reason=self.reason,
        )
        return job, f"{cause}:{self.to}"


def reviewers(admins: frozenset[str], *, submitted_by: str, questionnaire: str) -> tuple[AdminNotice, ...]:
    """Every other admin is asked to review."""
    return tuple(
        AdminNotice(to=admin, about="review", questionnaire=questionnaire, by=submitted_by)
        for admin in sorted(admins)
        if admin != submitted_by
    )


def notice_text(notice: AdminNoticeJob) -> str:
    """What a notice says, on any surface."""
    qid, by = notice.questionnaire, notice.by or "another admin"
    if notice.about == "review":
        return f"📝 {qid} waits for your review (submitted by {by})."
    if notice.about == "rejected":
        return f"↩️ {by} sent {qid} back to draft: {notice.reason or 'no reason given'}"
    return f"✅ {by} approved {qid}; /admin publish {qid} makes it live."


async def on_notice_due(turn: Turn) -> State:
    """A notice for the admin of this chat: what happened to a questionnaire, with its buttons."""
    notice = AdminNoticeJob.read(turn.event.timer)
    qid = notice.questionnaire
    buttons: tuple[tuple[Choice, ...], ...] = ()
    if notice.about == "review":
        buttons = (
            (
                ReviewAction("preview", qid).button("👁 Preview"),
                ReviewAction("approve", qid).button("✅ Approve"),
                ReviewAction("changes", qid).button("✏️ Request changes"),
            ),
        )
    turn.say(notice_text(notice), buttons)
    return turn.dialogue.state
