"""The complaint intake dialogue: consent, sensitive-data consent, the questions, a summary, a ticket."""

from __future__ import annotations

import logging
import re
from typing import Any

from conversations import survey
from conversations.answers import parse_typed
from conversations.complaint_policy import Category, ContactTime, Expectation
from conversations.dialogue import State
from conversations.events import Choice, EventKind
from conversations.outbox import Op
from conversations.questionnaire import Question, QuestionType
from conversations.rendering import text_version
from conversations.tickets_intake import open_ticket
from conversations.turn import Turn
from storage.consents import Decision

log = logging.getLogger("conversations.complaint")
COMPLAINT_CONSENT = "complaint"
SENSITIVE_CONSENT = "complaint_sensitive"
ESTIMATED_MINUTES = 3
MAX_CONTACT = 120
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}")
_PHONE = re.compile(r"\+?[\d\s().-]{6,24}")
_YES_NO = Question(id="yesno", type=QuestionType.YESNO, text={"en": "yes/no"})
# The order of the questions; a correction asks one and returns to the summary.
FIELDS = ("category", "order", "product", "description", "expectation", "contact_time")


async def start_complaint(turn: Turn, *, rating: int | None = None) -> State:
    """Begin a complaint from wherever the chat was; that place is kept to return to."""
    d = turn.dialogue
    back = d.draft.get("from_state") if d.state.value.startswith("complaint_") else d.state.value
    d.draft = {"from_state": back or State.NEW.value}
    if rating is not None:
        d.draft["rating"] = rating
    return _ask_consent(turn)


def _ask_consent(turn: Turn) -> State:
    text = turn.t(
        "complaint.consent.text",
        minutes=ESTIMATED_MINUTES,
        company=turn.config.branding.company,
        retention_days=turn.config.branding.retention_days,
        privacy_url=turn.config.branding.privacy_url,
    )
    turn.dialogue.draft[f"{COMPLAINT_CONSENT}_version"] = text_version(text)
    turn.say(text, _two("button.agree", "cc:yes", "button.decline", "cc:no", turn))
    return State.COMPLAINT_CONSENT


def _ask_sensitive(turn: Turn) -> State:
    text = turn.t("complaint.sensitive.text")
    turn.dialogue.draft[f"{SENSITIVE_CONSENT}_version"] = text_version(text)
    turn.say(text, _two("button.allow", "cs:yes", "button.chat_only", "cs:no", turn))
    return State.COMPLAINT_SENSITIVE


_ASKED_IN = {
    State.COMPLAINT_CATEGORY: "category",
    State.COMPLAINT_ORDER: "order",
    State.COMPLAINT_PRODUCT: "product",
    State.COMPLAINT_DESCRIPTION: "description",
    State.COMPLAINT_EXPECTATION: "expectation",
    State.COMPLAINT_CONTACT_TIME: "contact_time",
    State.COMPLAINT_CONTACT: "contact",
}


def reshow(turn: Turn, state: State) -> State | None:
    """Show the complaint step of `state` again (e.g. in a new language); None outside a complaint."""
    if state is State.COMPLAINT_CONSENT:
        return _ask_consent(turn)
    if state is State.COMPLAINT_SENSITIVE:
        return _ask_sensitive(turn)
    if state in {State.COMPLAINT_CONFIRM, State.COMPLAINT_CORRECT}:
        return summary(turn)
    field = _ASKED_IN.get(state)
    return None if field is None else ask(field, turn)


def _two(first: str, first_payload: str, second: str, second_payload: str, turn: Turn) -> Any:
    return ((Choice(turn.t(first), first_payload), Choice(turn.t(second), second_payload)),)


def _decision(turn: Turn, yes: str, no: str) -> bool | None:
    """True/False for the pressed button or a typed yes/no; None when it is neither."""
    event = turn.event
    if event.kind is EventKind.BUTTON:
        return True if event.text == yes else False if event.text == no else None
    if event.kind is EventKind.TEXT:
        typed = parse_typed(_YES_NO, event.text, language=turn.language, catalogs=turn.catalogs)
        return typed if isinstance(typed, bool) else None
    return None


async def _record(turn: Turn, kind: str, agreed: bool) -> None:
    turn.outbox.add(
        Op.CONSENT,
        entry_id=f"{turn.event.channel}:{turn.event.event_id}:{kind}",
        customer_id=turn.customer.id,
        kind=kind,
        # A hash of the exact text the customer saw, as for the survey consent.
        text_version=str(turn.dialogue.draft.get(f"{kind}_version", "")),
        language=turn.language,
        channel=turn.event.channel,
        decision=(Decision.GRANTED if agreed else Decision.REFUSED).value,
        at=turn.config.clock(),
    )


async def _leave(turn: Turn, message: str) -> State:
    """Back to where the chat was before the complaint, showing its question again."""
    back = State(turn.dialogue.draft.get("from_state", State.NEW.value))
    turn.dialogue.draft = {}
    turn.say(message)
    return await survey.reshow(turn, back)


async def on_consent(turn: Turn) -> State:
    agreed = _decision(turn, "cc:yes", "cc:no")
    if agreed is None:
        return _not_understood(turn, State.COMPLAINT_CONSENT)
    await _record(turn, COMPLAINT_CONSENT, agreed)
    if not agreed:
        return await _leave(turn, turn.t("complaint.declined"))
    return _ask_sensitive(turn)


async def on_sensitive(turn: Turn) -> State:
    agreed = _decision(turn, "cs:yes", "cs:no")
    if agreed is None:
        return _not_understood(turn, State.COMPLAINT_SENSITIVE)
    await _record(turn, SENSITIVE_CONSENT, agreed)
    turn.dialogue.draft["sensitive"] = agreed
    return ask("category", turn)


def _not_understood(turn: Turn, state: State) -> State:
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
    else:
        turn.say_key("survey.hint.yesno")
    return state


def ask(field: str, turn: Turn, *, prefix: str = "") -> State:
    """Show the question for `field` and return the state that waits for its answer."""
    say = turn.say
    if field == "category":
        rows = [(Choice(turn.t(f"complaint.category.{c.value}"), f"cat:{c.value}"),) for c in Category]
        say(prefix + turn.t("complaint.category.prompt"), tuple(rows))
        return State.COMPLAINT_CATEGORY
    if field == "order":
        say(prefix + turn.t("complaint.order.prompt"), ((Choice(turn.t("button.no_order"), "order:none"),),))
        return State.COMPLAINT_ORDER
    if field == "product":
        say(prefix + turn.t("complaint.product.prompt"))
        return State.COMPLAINT_PRODUCT
    if field == "description":
        photos = turn.dialogue.draft.get("sensitive", False)
        say(
            prefix
            + turn.t("complaint.description.prompt_photos" if photos else "complaint.description.prompt")
        )
        return State.COMPLAINT_DESCRIPTION
    if field == "expectation":
        rows = [(Choice(turn.t(f"complaint.expectation.{e.value}"), f"exp:{e.value}"),) for e in Expectation]
        say(prefix + turn.t("complaint.expectation.prompt"), tuple(rows))
        return State.COMPLAINT_EXPECTATION
    if field == "contact_time":
        choices = tuple(
            Choice(turn.t(f"complaint.contact_time.{c.value}"), f"ct:{c.value}") for c in ContactTime
        )
        say(prefix + turn.t("complaint.contact_time.prompt"), (choices[:2], choices[2:]))
        return State.COMPLAINT_CONTACT_TIME
    if field == "contact":
        say(prefix + turn.t("complaint.contact.prompt"), ((Choice(turn.t("button.skip"), "contact:skip"),),))
        return State.COMPLAINT_CONTACT
    raise ValueError(f"no question for {field!r}")


def _next(field: str, turn: Turn) -> State:
    """After `field` is answered: the following question, or the summary when correcting."""
    draft = turn.dialogue.draft
    if draft.pop("correcting", False):
        return summary(turn)
    if field == "contact_time" and draft.get("sensitive"):
        return ask("contact", turn)
    if field in {"contact_time", "contact"}:
        return summary(turn)
    following = FIELDS[FIELDS.index(field) + 1]
    if following == "description" and draft.get("description"):
        following = "expectation"  # written already, as the free message that started the complaint
    return ask(following, turn)


# Questions answered by one of a fixed set of buttons: the payload prefix and the allowed values.
_CHOICES: dict[str, tuple[str, frozenset[str]]] = {
    "category": ("cat:", frozenset(c.value for c in Category)),
    "expectation": ("exp:", frozenset(e.value for e in Expectation)),
    "contact_time": ("ct:", frozenset(c.value for c in ContactTime)),
}


async def _on_choice(turn: Turn, field: str) -> State:
    prefix, allowed = _CHOICES[field]
    value = _pressed(turn, prefix, allowed)
    if value is None:
        return _reask_with_notice(turn, field)
    turn.dialogue.draft[field] = value
    return _next(field, turn)


async def on_category(turn: Turn) -> State:
    return await _on_choice(turn, "category")


async def on_order(turn: Turn) -> State:
    event = turn.event
    if event.kind is EventKind.BUTTON and event.text == "order:none":
        turn.dialogue.draft["order_ref"] = None
        return _next("order", turn)
    if event.kind is not EventKind.TEXT:
        return _reask_with_notice(turn, "order")
    order = event.text.strip()
    if not turn.config.complaints.valid_order(order):
        hint = turn.t("complaint.order.invalid", example=turn.config.complaints.order_example)
        return ask("order", turn, prefix=f"{hint}\n\n")
    turn.dialogue.draft["order_ref"] = order
    return _next("order", turn)


async def on_product(turn: Turn) -> State:
    text = _typed(turn, "product", turn.config.complaints.max_product)
    if isinstance(text, State):
        return text
    turn.dialogue.draft["product"] = text
    return _next("product", turn)


async def on_description(turn: Turn) -> State:
    event, draft, policy = turn.event, turn.dialogue.draft, turn.config.complaints
    if event.kind is EventKind.MEDIA:
        if not draft.get("sensitive"):
            turn.say_key("complaint.photo.not_kept")
            return State.COMPLAINT_DESCRIPTION
        photos: list[dict[str, str]] = draft.setdefault("photos", [])
        reference = str(event.raw.get("file_id") or "")
        if len(photos) >= policy.max_photos:
            turn.say_key("complaint.photo.too_many", max=policy.max_photos)
        elif reference and all(photo["ref"] != reference for photo in photos):
            photos.append({"kind": event.text, "ref": reference})
            turn.say_key("complaint.photo.received", count=len(photos))
        return State.COMPLAINT_DESCRIPTION
    text = _typed(turn, "description", policy.max_text)
    if isinstance(text, State):
        return text
    draft["description"] = text
    return _next("description", turn)


async def on_expectation(turn: Turn) -> State:
    return await _on_choice(turn, "expectation")


async def on_contact_time(turn: Turn) -> State:
    return await _on_choice(turn, "contact_time")


async def on_contact(turn: Turn) -> State:
    event, draft = turn.event, turn.dialogue.draft
    if event.kind is EventKind.BUTTON and event.text == "contact:skip":
        draft["contact"] = None
        return _next("contact", turn)
    text = event.text.strip() if event.kind is EventKind.TEXT else ""
    if len(text) > MAX_CONTACT or not (_EMAIL.fullmatch(text) or _PHONE.fullmatch(text)):
        return ask("contact", turn, prefix=turn.t("complaint.contact.invalid") + "\n\n")
    draft["contact"] = text
    return _next("contact", turn)


def _pressed(turn: Turn, prefix: str, allowed: set[str] | frozenset[str]) -> str | None:
    event = turn.event
    if event.kind is EventKind.BUTTON and event.text.startswith(prefix):
        value = event.text.removeprefix(prefix)
        return value if value in allowed else None
    return None


def _reask_with_notice(turn: Turn, field: str) -> State:
    """A stale or unknown button gets a toast; typed text gets the question again."""
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
        return turn.dialogue.state
    return ask(field, turn)


def _typed(turn: Turn, field: str, limit: int) -> str | State:
    event = turn.event
    if event.kind is not EventKind.TEXT:
        return _reask_with_notice(turn, field)
    text = event.text.strip()
    if not text:
        return ask(field, turn, prefix=turn.t("complaint.text.empty") + "\n\n")
    if len(text) > limit:
        return ask(field, turn, prefix=turn.t("complaint.text.too_long", max=limit) + "\n\n")
    return text


def summary(turn: Turn) -> State:
    draft = turn.dialogue.draft
    none = turn.t("complaint.none")
    contact_time = turn.t(f"complaint.contact_time.{draft.get('contact_time', 'any')}")
    if draft.get("contact"):
        contact_time = f"{contact_time} · {draft['contact']}"
    text = turn.t(
        "complaint.summary",
        category=turn.t(f"complaint.category.{draft.get('category', 'other')}"),
        order=draft.get("order_ref") or none,
        product=draft.get("product") or none,
        description=draft.get("description") or none,
        photos=len(draft.get("photos", [])),
        expectation=turn.t(f"complaint.expectation.{draft.get('expectation', 'other')}"),
        contact_time=contact_time,
    )
    buttons = (
        (Choice(turn.t("button.submit"), "confirm:submit"),),
        (
            Choice(turn.t("button.correct"), "confirm:correct"),
            Choice(turn.t("button.cancel"), "confirm:cancel"),
        ),
    )
    turn.say(text, buttons)
    return State.COMPLAINT_CONFIRM


async def on_confirm(turn: Turn) -> State:
    event = turn.event
    if event.kind is EventKind.BUTTON and event.text == "confirm:submit":
        return await _submit(turn)
    if event.kind is EventKind.BUTTON and event.text == "confirm:cancel":
        return await _leave(turn, turn.t("complaint.cancelled"))
    if event.kind is EventKind.BUTTON and event.text == "confirm:correct":
        rows = [(Choice(turn.t(f"complaint.field.{name}"), f"fix:{name}"),) for name in FIELDS]
        turn.say(turn.t("complaint.correct.prompt"), tuple(rows))
        return State.COMPLAINT_CORRECT
    if event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
        return State.COMPLAINT_CONFIRM
    return summary(turn)


async def on_correct(turn: Turn) -> State:
    field = _pressed(turn, "fix:", set(FIELDS))
    if field is None:
        if turn.event.kind is EventKind.BUTTON:
            turn.notice = turn.t("unknown.button")
            return State.COMPLAINT_CORRECT
        return summary(turn)
    turn.dialogue.draft["correcting"] = True
    return ask(field, turn)


async def _submit(turn: Turn) -> State:
    return await _leave(turn, await open_ticket(turn))
