"""Deep-link start payloads: parse what Telegram hands over after ?start=, build links that parse back."""

from __future__ import annotations

import pytest

from conversations.dialogues.start_payload import StartPayload, build_start_payload, parse_start_payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q-default__o-A1234", StartPayload(questionnaire_id="default", order_ref="A1234")),
        ("o-A1234__q-default", StartPayload(questionnaire_id="default", order_ref="A1234")),
        ("default", StartPayload(questionnaire_id="default")),
        ("q-default", StartPayload(questionnaire_id="default")),
        ("post_delivery-2", StartPayload(questionnaire_id="post_delivery-2")),
        ("o-XYZ-9", StartPayload(order_ref="XYZ-9")),
        ("default__o-A1", StartPayload(questionnaire_id="default", order_ref="A1")),
        ("o-" + "A" * 40, StartPayload(order_ref="A" * 40)),
        ("", StartPayload()),
        ("   ", StartPayload()),
    ],
)
def test_parse_valid(text: str, expected: StartPayload) -> None:
    assert parse_start_payload(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "$$$",
        "a" * 65,  # Telegram allows at most 64 characters
        "q-Bad",
        "Default",
        "q-",
        "o-",
        "__",
        "default__",
        "q-a__q-b",
        "default__default",
        "q-a__b",
        "o-A__o-B",
        "o-" + "A" * 41,  # order references are at most 40 characters
        "o-A_B",
        "q-de fault",
        "o-A1234/../x",
    ],
)
def test_parse_malformed_is_none(text: str) -> None:
    assert parse_start_payload(text) is None


@pytest.mark.parametrize("text", ["o-a__o-b", "o-" + "a" * 41])
def test_parse_rejects_malformed_lower_case_order_parts(text: str) -> None:
    assert parse_start_payload(text) is None


@pytest.mark.parametrize(
    ("questionnaire_id", "order_ref"),
    [
        ("default", "A1234"),
        ("default", None),
        (None, "XYZ-9"),
        (None, None),
        ("post_delivery-2", "a-b-c"),
        ("o-x", None),  # a questionnaire whose id looks like an order part still round-trips
    ],
)
def test_build_parse_round_trip(questionnaire_id: str | None, order_ref: str | None) -> None:
    payload = build_start_payload(questionnaire_id=questionnaire_id, order_ref=order_ref)
    assert len(payload) <= 64
    assert parse_start_payload(payload) == StartPayload(questionnaire_id, order_ref)


def test_build_uses_the_documented_shape() -> None:
    assert build_start_payload(questionnaire_id="default", order_ref="A1234") == "q-default__o-A1234"
    assert build_start_payload() == ""


@pytest.mark.parametrize(
    ("questionnaire_id", "order_ref"),
    [
        ("Bad", None),
        ("default", "A_1"),  # "_" would split the payload
        ("default", "A 1"),
        (None, "#1234"),
        (None, "A" * 41),
        ("q" * 30, "A" * 40),  # over Telegram's 64 characters together
    ],
)
def test_build_refuses_unrepresentable_input(questionnaire_id: str | None, order_ref: str | None) -> None:
    with pytest.raises(ValueError, match="start link"):
        build_start_payload(questionnaire_id=questionnaire_id, order_ref=order_ref)
