"""A ticket's status: one enum for the lifecycle, the store, the desk and the reports."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    PROPOSAL_REJECTED = "proposal_rejected"
    CLOSED = "closed"
    REOPENED = "reopened"
