"""Button payloads: every class reads back exactly what it wrote, and nothing else."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from core import payloads
from core.payloads import (
    Answer,
    ComplaintOffer,
    Consent,
    FollowUpRating,
    NoOrder,
    Payload,
    ReportProblem,
    Resume,
    parse,
)


def _example(cls: type[Payload]) -> Payload:
    """An instance with a plausible value in every field."""
    values: dict[str, object] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = typing.get_type_hints(cls)[f.name]
        if kind is bool:
            values[f.name] = True
        elif kind is int or kind == int | None:
            values[f.name] = 3
        elif typing.get_origin(kind) is typing.Literal:
            values[f.name] = typing.get_args(kind)[-1]
        else:
            values[f.name] = "C-7K2Q9X"
    return cls(**values)


@pytest.mark.parametrize("cls", payloads.registered(), ids=lambda cls: cls.__name__)
def test_every_payload_round_trips_and_fits_telegram(cls: type[Payload]) -> None:
    written = _example(cls)
    packed = written.pack()
    assert parse(packed) == written
    assert cls.unpack(packed) == written
    assert len(packed.encode()) <= 64  # Telegram's callback_data limit


def test_the_wire_format_of_buttons_already_in_customers_chats_is_unchanged() -> None:
    assert Consent(agreed=True).pack() == "consent:yes"
    assert Answer("delivery_speed", "4").pack() == "a:delivery_speed:4"
    assert ComplaintOffer(2).pack() == "complain:r2"
    assert ComplaintOffer().pack() == "complain:no"
    assert ReportProblem().pack() == "complain"
    assert NoOrder().pack() == "order:none"
    assert FollowUpRating("C-1", 5).pack() == "fur:C-1:5"


@pytest.mark.parametrize(
    "text",
    ["", ":", "a", "a:q1", "a:", "consent:maybe", "resume:later", "fur:C-1:x", "fur:C-1:99999999999",
     "complain:r9", "complain:yes", "order:some", "zzz:1", "$where:1", "consent:yes:extra", "show:x"],
)
def test_anything_no_class_wrote_is_not_a_payload(text: str) -> None:
    assert parse(text) is None


def test_a_class_recognises_only_its_own_payload() -> None:
    assert Consent.unpack("cc:yes") is None
    assert ReportProblem.unpack("complain:no") is None
    assert ComplaintOffer.unpack("complain") is None
    assert Resume.unpack("resume:restart") == Resume("restart")


def test_the_last_field_keeps_its_colons() -> None:
    assert parse("a:q1:x:y") == Answer("q1", "x:y")
