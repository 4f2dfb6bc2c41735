"""Button payloads: one small class per kind of button, which both writes and reads its payload.

A payload travels through the platform as a short string (Telegram allows 64 bytes of
callback data), `<prefix>:<field>:<field>`. The class that builds a button is the class that
recognises its press, so the two can never disagree. Fields are `str`, `int`, `bool`
(written `yes`/`no`) or a `Literal` of strings; the last field may itself contain `:`.
Anything that does not parse — a forged or stale press — unpacks to None.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

from core.events import Choice

# prefix -> class name -> class; by name because `dataclass(slots=True)` makes a second class.
_REGISTRY: dict[str, dict[str, type[Payload]]] = {}
_YES, _NO = "yes", "no"


class Payload:
    """A button's payload; subclasses are frozen dataclasses with a `prefix`."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "prefix" in cls.__dict__:
            _REGISTRY.setdefault(cls.prefix, {})[cls.__qualname__] = cls

    def pack(self) -> str:
        parts = [self.prefix]
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            parts.append(_write(getattr(self, f.name)))
        return ":".join(parts)

    def button(self, label: str) -> Choice:
        return Choice(label, self.pack())

    @classmethod
    def unpack(cls, text: str) -> Self | None:
        """This class's payload in `text`, or None when `text` is not one."""
        found = parse(text)
        return found if isinstance(found, cls) else None

    @classmethod
    def from_rest(cls, rest: str) -> Self | None:
        """The payload whose fields are written `rest` (what follows the prefix), or None."""
        fields = _fields(cls)
        if not fields:
            return cls() if rest == "" else None
        parts = rest.split(":", len(fields) - 1)
        if len(parts) != len(fields):
            return None
        try:
            return cls(**{name: _read(kind, part) for (name, kind), part in zip(fields, parts, strict=True)})
        except ValueError:
            return None


def _write(value: object) -> str:
    if isinstance(value, bool):
        return _YES if value else _NO
    return "" if value is None else str(value)


def _read(kind: object, text: str) -> object:
    """`text` as a value of the annotated `kind`; raises ValueError when it is not one."""
    if kind is bool:
        if text not in (_YES, _NO):
            raise ValueError(text)
        return text == _YES
    if kind is int:
        if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 9:
            raise ValueError(text)
        return int(text)
    if kind is str:
        if not text:
            raise ValueError(text)
        return text
    if typing.get_origin(kind) is Literal:
        if text not in typing.get_args(kind):
            raise ValueError(text)
        return text
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # `X | None`: absent when empty
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if text == "" else _read(inner[0], text)
    raise TypeError(f"payload fields cannot be {kind!r}")


_FIELDS: dict[type[Payload], tuple[tuple[str, object], ...]] = {}


def _fields(cls: type[Payload]) -> tuple[tuple[str, object], ...]:
    """(name, annotated type) of each field, resolved once per class."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return _FIELDS[cls]


def parse(text: str) -> Payload | None:
    """The payload `text` carries, or None for anything no class wrote."""
    head, _, rest = text.partition(":")
    for prefix, after in ((text, ""), (head, rest)):
        for cls in _REGISTRY.get(prefix, {}).values():
            found = cls.from_rest(after)
            if found is not None:
                return found
    return None


# The customer's dialogue.


@dataclass(frozen=True, slots=True)
class Consent(Payload):
    prefix = "consent"
    agreed: bool


@dataclass(frozen=True, slots=True)
class LanguageMenu(Payload):
    prefix = "language"


@dataclass(frozen=True, slots=True)
class PickLanguage(Payload):
    prefix = "lang"
    code: str


@dataclass(frozen=True, slots=True)
class Answer(Payload):
    prefix = "a"
    question: str
    value: str


@dataclass(frozen=True, slots=True)
class Skip(Payload):
    prefix = "skip"
    question: str


@dataclass(frozen=True, slots=True)
class Back(Payload):
    prefix = "back"
    question: str


@dataclass(frozen=True, slots=True)
class Resume(Payload):
    prefix = "resume"
    how: Literal["continue", "restart"]


@dataclass(frozen=True, slots=True)
class TakeSurvey(Payload):
    """The button of an invitation."""

    prefix = "invite"
    invitation: str


@dataclass(frozen=True, slots=True)
class ShowHeld(Payload):
    """A "something is waiting for you" notice: pressing it only opens the messaging window."""

    prefix = "show"


@dataclass(frozen=True, slots=True)
class Erase(Payload):
    prefix = "delete"
    confirmed: bool


@dataclass(frozen=True, slots=True)
class FeedbackKind(Payload):
    prefix = "fb"
    kind: str


# Complaints.


@dataclass(frozen=True, slots=True)
class ReportProblem(Payload):
    """The "report a problem" button under the consent request."""

    prefix = "complain"


@dataclass(frozen=True, slots=True)
class ComplaintOffer(Payload):
    """The answer to "would you like us to look into it?" after low ratings: `rating` is the lowest."""

    prefix = "complain"
    rating: int | None = None

    def pack(self) -> str:
        return f"complain:r{self.rating}" if self.rating is not None else "complain:no"

    @classmethod
    def from_rest(cls, rest: str) -> Self | None:
        if rest == "no":
            return cls()
        if rest in {"r1", "r2", "r3", "r4", "r5"}:
            return cls(int(rest[1:]))
        return None


@dataclass(frozen=True, slots=True)
class ComplaintConsent(Payload):
    prefix = "cc"
    agreed: bool


@dataclass(frozen=True, slots=True)
class SensitiveConsent(Payload):
    prefix = "cs"
    agreed: bool


@dataclass(frozen=True, slots=True)
class PickCategory(Payload):
    prefix = "cat"
    value: str


@dataclass(frozen=True, slots=True)
class PickExpectation(Payload):
    prefix = "exp"
    value: str


@dataclass(frozen=True, slots=True)
class PickContactTime(Payload):
    prefix = "ct"
    value: str


@dataclass(frozen=True, slots=True)
class NoOrder(Payload):
    prefix = "order:none"


@dataclass(frozen=True, slots=True)
class SkipContact(Payload):
    prefix = "contact:skip"


@dataclass(frozen=True, slots=True)
class Confirm(Payload):
    """Under the complaint's summary."""

    prefix = "confirm"
    action: Literal["submit", "correct", "cancel"]


@dataclass(frozen=True, slots=True)
class Fix(Payload):
    """Correct one field of a complaint before sending it."""

    prefix = "fix"
    field: str


# A ticket, after it was filed.


@dataclass(frozen=True, slots=True)
class Proposal(Payload):
    """The customer accepts or rejects the proposed resolution."""

    prefix = "prop"
    ticket: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class FollowUp(Payload):
    """Was the problem solved? (asked some working days after closing)."""

    prefix = "fu"
    ticket: str
    solved: bool


@dataclass(frozen=True, slots=True)
class FollowUpRating(Payload):
    prefix = "fur"
    ticket: str
    rating: int


@dataclass(frozen=True, slots=True)
class FollowUpNoComment(Payload):
    prefix = "fuc"
    ticket: str
    skip: Literal["skip"] = "skip"


def registered() -> list[type[Payload]]:
    """Every payload class (for tests and docs)."""
    return [cls for classes in _REGISTRY.values() for cls in classes.values()]
