"""Every kind of durable job, in one registry, each with the typed payload it carries.

A job's payload refers to data by id (a ticket, a response, an invitation), never carries a
customer's words or contact details: erasing the customer then leaves nothing in `jobs`.
The class that schedules a kind is the class its handler reads, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict

_KINDS: dict[str, type[JobPayload]] = {}


class JobPayload(BaseModel):
    """The payload of one kind of job; `KIND` is the job's kind as stored."""

    # Fields jobs of older versions carried are ignored, not refused: such a job still runs.
    model_config = ConfigDict(frozen=True, extra="ignore")
    KIND: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if kind is not None:
            if kind in _KINDS:
                raise TypeError(f"two job payloads share the kind {kind!r}")
            _KINDS[kind] = cls

    @classmethod
    def read(cls, payload: dict[str, Any]) -> Self:
        """This kind's payload from a stored job (raises pydantic's ValidationError if malformed)."""
        return cls.model_validate(payload)

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def kinds() -> dict[str, type[JobPayload]]:
    """Every registered job kind and its payload class."""
    return dict(_KINDS)


# The customer's chat.


class SurveyReminder(JobPayload):
    KIND = "survey.reminder"
    response: str
    number: int = 1


class InvitationSend(JobPayload):
    KIND = "invitation.send"
    invitation: str


class ToCustomer(JobPayload):
    """An agent's reply, proposal or resolution; the words are the ticket's history entry."""

    KIND = "customer.message"
    ticket: str
    kind: Literal["reply", "proposal", "resolved"]
    entry: str = ""


class TicketFollowUp(JobPayload):
    KIND = "ticket.followup"
    ticket: str


# The agents' desk.


class TicketPublish(JobPayload):
    """Post the ticket to its team's channel, or redraw the message already posted."""

    KIND = "ticket.publish"
    ticket: str


class TicketReminder(JobPayload):
    KIND = "ticket.reminder"
    ticket: str
    deadline: str


class TicketBreach(JobPayload):
    KIND = "ticket.breach"
    ticket: str
    deadline: str


class DeskNote(JobPayload):
    """A line in the ticket's desk thread, optionally quoting a history entry or what was shown."""

    KIND = "desk.note"
    ticket: str
    heading: str = ""
    actor: str | None = None
    entry: str | None = None
    shown: str | None = None


class TicketPhotos(JobPayload):
    KIND = "ticket.photos"
    ticket: str


class FeedbackForward(JobPayload):
    KIND = "feedback.forward"
    feedback: str


# Figures.


class Rollup(JobPayload):
    """Count one funnel stage (or a finished response) into the day's report counters."""

    KIND = "rollup"
    stage: str
    questionnaire: str
    day: str
    response: str | None = None
    language: str | None = None
    """For the `unserved` stage: the language the customer wrote that the shop has no catalog for."""


class WeeklyReport(JobPayload):
    KIND = "report.weekly"


class MonthlyReport(JobPayload):
    KIND = "report.monthly"


# Staff.


class AdminNoticeJob(JobPayload):
    """Tell one admin (in their own chat) what happened to a questionnaire under review."""

    KIND = "admin.notice"
    channel: str
    chat_key: str
    about: Literal["review", "rejected", "approved"]
    questionnaire: str
    by: str
    reason: str = ""


# Improvement tasks (an approved report's suggested actions) and free-text themes.


class TaskPost(JobPayload):
    """Post an improvement task to its team's channel."""

    KIND = "improvement.post"
    task: str


class TaskReminder(JobPayload):
    KIND = "improvement.remind"
    task: str
    days: int
    """Days left before the deadline."""


class TaskOverdue(JobPayload):
    KIND = "improvement.overdue"
    task: str


class TaskDone(JobPayload):
    KIND = "improvement.done"
    task: str


class TaskEvaluation(JobPayload):
    """Compare the task's dimension before and after, once the after window is over."""

    KIND = "improvement.evaluate"
    task: str


class ThemeCatchUp(JobPayload):
    """Assign themes to the free texts written since the last run (hourly)."""

    KIND = "themes.catch_up"
