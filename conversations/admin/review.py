"""Review that talks to people: who is told when a questionnaire is submitted, rejected or approved.

Admin commands decide the notices (`AdminNotice`); each becomes a due job for the recipient's chat,
so the recipient's own dialogue words it (`on_notice_due`) with its buttons, once, at the channel's
pace, even if this worker dies first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conversations.dialogues.dialogue import State
from conversations.turn import Turn
from core.admin_payloads import ReviewAction
from core.events import Choice
from core.jobs import AdminNoticeJob

ADMIN_NOTICE = AdminNoticeJob.KIND
# Channels whose admins have a private chat with the bot to receive notices in.
NOTIFIED_CHANNELS = frozenset({"telegram", "slack"})
About = Literal["review", "rejected", "approved"]


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
