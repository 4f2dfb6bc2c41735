"""The complaint's questions as one table: in order, each with its state, prompt and answer reader.

The order of the questions, the state that waits for each, how it is asked and how its answer is
read are written here once; the dialogue (conversations/dialogues/complaint.py) and the state machine
(conversations/dialogues/machine.py) take them from this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from conversations.dialogues.detours import ComplaintDraft, Photo
from conversations.dialogues.dialogue import State
from conversations.tickets.policy import Category, ContactTime, Expectation
from conversations.turn import Turn
from core.events import Choice, EventKind
from core.payloads import NoOrder, PickCategory, PickContactTime, PickExpectation, SkipContact

MAX_CONTACT = 120
MAX_CONTACT_TIME = 80
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}")
_PHONE = re.compile(r"\+?[\d\s().-]{6,24}")
Buttons = tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True, slots=True)
class Again:
    """Ask the question again, after `hint` (typed text that does not answer it)."""

    hint: str = ""


@dataclass(frozen=True, slots=True)
class Toast:
    """A stale or unknown button: a short note on the button, nothing asked again."""


@dataclass(frozen=True, slots=True)
class Stay:
    """Handled without answering (a photo for the description): keep waiting for the answer."""


Read = dict[str, Any] | Again | Toast | Stay
"""What an answer sets in the draft, or what to do instead."""


@dataclass(frozen=True, slots=True)
class IntakeQuestion:
    field: str
    state: State
    prompt: Callable[[Turn], tuple[str, Buttons]]
    read: Callable[[Turn], Read]
    asked: Callable[[ComplaintDraft], bool] = lambda draft: True
    """Whether the question comes up on the way forward (a correction may always ask it)."""
    correctable: Callable[[ComplaintDraft], bool] = lambda draft: True
    """Whether "Correct something" offers it for this draft."""


PickOne = type[PickCategory | PickExpectation | PickContactTime]


def _choices(payload: PickOne, kind: str, values: type[StrEnum], turn: Turn) -> tuple[Choice, ...]:
    return tuple(payload(v.value).button(turn.t(f"complaint.{kind}.{v.value}")) for v in values)


def _not_an_answer(turn: Turn) -> Again | Toast:
    return Toast() if turn.event.kind is EventKind.BUTTON else Again()


def _typed(turn: Turn, limit: int) -> str | Again | Toast:
    if turn.event.kind is not EventKind.TEXT:
        return _not_an_answer(turn)
    text = turn.event.text.strip()
    if not text:
        return Again(turn.t("complaint.text.empty"))
    if len(text) > limit:
        return Again(turn.t("complaint.text.too_long", max=limit))
    return text


def _choice_reader(field: str, payload: PickOne, values: type[StrEnum]) -> Callable[[Turn], Read]:
    allowed = frozenset(v.value for v in values)

    def read(turn: Turn) -> Read:
        pressed = turn.event.pressed(payload)
        if pressed is None or pressed.value not in allowed:
            return _not_an_answer(turn)
        return {field: pressed.value}

    return read


def _ask_category(turn: Turn) -> tuple[str, Buttons]:
    rows = tuple((choice,) for choice in _choices(PickCategory, "category", Category, turn))
    return turn.t("complaint.category.prompt"), rows


def _ask_order(turn: Turn) -> tuple[str, Buttons]:
    return turn.t("complaint.order.prompt"), ((NoOrder().button(turn.t("button.no_order")),),)


def _read_order(turn: Turn) -> Read:
    event, policy = turn.event, turn.config.complaints
    if event.pressed(NoOrder):
        return {"order_ref": None}
    if event.kind is not EventKind.TEXT:
        return _not_an_answer(turn)
    order = event.text.strip()
    if not policy.valid_order(order):
        return Again(turn.t("complaint.order.invalid", example=policy.order_example))
    return {"order_ref": order}


def _ask_product(turn: Turn) -> tuple[str, Buttons]:
    return turn.t("complaint.product.prompt"), ()


def _read_product(turn: Turn) -> Read:
    text = _typed(turn, turn.config.complaints.max_product)
    return text if not isinstance(text, str) else {"product": text}


def _ask_description(turn: Turn) -> tuple[str, Buttons]:
    photos = turn.complaint().sensitive
    return turn.t("complaint.description.prompt_photos" if photos else "complaint.description.prompt"), ()


def _read_description(turn: Turn) -> Read:
    event, draft, policy = turn.event, turn.complaint(), turn.config.complaints
    if event.kind is EventKind.MEDIA:
        if not draft.sensitive:
            turn.say_key("complaint.photo.not_kept")
            return Stay()
        photos = draft.photos
        attachment = event.attachment
        reference = attachment.ref if attachment is not None else ""
        if len(photos) >= policy.max_photos:
            turn.say_key("complaint.photo.too_many", max=policy.max_photos)
        elif attachment is not None and reference and all(photo.ref != reference for photo in photos):
            photos.append(Photo(kind=attachment.kind, ref=reference))
            turn.say_key("complaint.photo.received", count=len(photos))
        return Stay()
    text = _typed(turn, policy.max_text)
    return text if not isinstance(text, str) else {"description": text}


def _ask_expectation(turn: Turn) -> tuple[str, Buttons]:
    rows = tuple((choice,) for choice in _choices(PickExpectation, "expectation", Expectation, turn))
    return turn.t("complaint.expectation.prompt"), rows


def _ask_contact_time(turn: Turn) -> tuple[str, Buttons]:
    choices = _choices(PickContactTime, "contact_time", ContactTime, turn)
    return turn.t("complaint.contact_time.prompt"), (choices[:2], choices[2:])


def _read_contact_time(turn: Turn) -> Read:
    """A button, or the customer's own words ("weekdays after 6 pm") kept as written for agents."""
    if turn.event.kind is EventKind.BUTTON:
        pressed = turn.event.pressed(PickContactTime)
        if pressed is None or pressed.value not in {v.value for v in ContactTime}:
            return Toast()
        return {"contact_time": pressed.value, "contact_time_note": None}
    text = " ".join(turn.event.text.split()) if turn.event.kind is EventKind.TEXT else ""
    if not text or len(text) > MAX_CONTACT_TIME:
        return Again(turn.t("complaint.contact_time.hint", max=MAX_CONTACT_TIME))
    return {"contact_time": ContactTime.ANY.value, "contact_time_note": text}


def _ask_contact(turn: Turn) -> tuple[str, Buttons]:
    return turn.t("complaint.contact.prompt"), ((SkipContact().button(turn.t("button.skip")),),)


def _read_contact(turn: Turn) -> Read:
    event = turn.event
    if event.pressed(SkipContact):
        return {"contact": None}
    text = event.text.strip() if event.kind is EventKind.TEXT else ""
    if len(text) > MAX_CONTACT or not (_EMAIL.fullmatch(text) or _PHONE.fullmatch(text)):
        return Again(turn.t("complaint.contact.invalid"))
    return {"contact": text}


INTAKE: tuple[IntakeQuestion, ...] = (
    IntakeQuestion("category", State.COMPLAINT_CATEGORY, _ask_category, _choice_reader(
        "category", PickCategory, Category
    )),
    IntakeQuestion("order", State.COMPLAINT_ORDER, _ask_order, _read_order),
    IntakeQuestion("product", State.COMPLAINT_PRODUCT, _ask_product, _read_product),
    # Skipped when the free message that started the complaint is its description already.
    IntakeQuestion(
        "description",
        State.COMPLAINT_DESCRIPTION,
        _ask_description,
        _read_description,
        asked=lambda draft: not draft.description,
    ),
    IntakeQuestion("expectation", State.COMPLAINT_EXPECTATION, _ask_expectation, _choice_reader(
        "expectation", PickExpectation, Expectation
    )),
    IntakeQuestion("contact_time", State.COMPLAINT_CONTACT_TIME, _ask_contact_time, _read_contact_time),
    # Only with the sensitive-data consent, on the way forward and in a correction alike.
    IntakeQuestion(
        "contact",
        State.COMPLAINT_CONTACT,
        _ask_contact,
        _read_contact,
        asked=lambda draft: draft.sensitive,
        correctable=lambda draft: draft.sensitive,
    ),
)
BY_FIELD = {question.field: question for question in INTAKE}
BY_STATE = {question.state: question for question in INTAKE}
CORRECTABLE = tuple(question.field for question in INTAKE)
"""Every field a correction may ask; `correctable_in` says which ones a given draft offers."""


def correctable_in(draft: ComplaintDraft) -> tuple[str, ...]:
    return tuple(question.field for question in INTAKE if question.correctable(draft))


def following(field: str, draft: ComplaintDraft) -> IntakeQuestion | None:
    """The next question to ask after `field` on the way forward; None: the summary comes."""
    later = INTAKE[[q.field for q in INTAKE].index(field) + 1 :]
    return next((question for question in later if question.asked(draft)), None)


def leads_to(state: State) -> frozenset[State]:
    """Where answering the question of `state` may lead: any later question, or the summary."""
    index = [q.state for q in INTAKE].index(state)
    return frozenset({q.state for q in INTAKE[index + 1 :]} | {State.COMPLAINT_CONFIRM})
