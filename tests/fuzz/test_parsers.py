"""Property-based fuzzing of every inbound parser: a clear refusal or an event, never a crash.

Each test states which exceptions the caller turns into a refusal (400, an error frame, "Not done");
anything else escaping is a bug. Case counts scale with FUZZ_SCALE (see strategies.py).
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update

from conversations.admin.documents import AdminError, parse_yaml
from conversations.dialogues.invitations import InvitationRequest
from core.events import InboundEvent
from handlers.telegram import to_event
from handlers.webchat import Limits, TokenSigner, WebChat, WebChatChannel
from handlers.whatsapp import ListLabels, render, signature_valid, to_events
from locales.catalog import catalogs
from tests.fuzz.strategies import examples, json_values, telegram_updates, texts, wa_payloads, webchat_frames

BOT = Bot("123456:fuzzing-token")
SIGNER = TokenSigner(b"fuzz-secret")


@examples(300)
@given(st.one_of(telegram_updates, json_values))
def test_telegram_updates(data: Any) -> None:
    if not isinstance(data, dict):
        return  # the webhook refuses non-objects before parsing
    try:
        update = Update.de_json(data, BOT)
    except Exception:
        return
    if update is None:
        return
    event = to_event(update)  # must not raise for anything de_json accepted
    assert event is None or (isinstance(event, InboundEvent) and len(event.text) <= 8192)
    if event is not None:
        assert event.chat_key.lstrip("-").isdigit() and event.user_key.lstrip("-").isdigit()
        assert isinstance(event.text, str) and isinstance(event.language_hint, str | None)
    json.dumps(event.to_document() if event else {}, default=str)  # storable


@examples(300)
@given(st.one_of(wa_payloads, json_values))
def test_whatsapp_webhooks(payload: Any) -> None:
    if not isinstance(payload, dict):
        return
    try:
        events, statuses = to_events(payload)
    except (ValueError, TypeError, AttributeError):
        return  # answered 400
    for event in events:
        assert event.chat_key.isdigit() and len(event.text) <= 8192
    for status in statuses:
        assert set(status) == {"message_id", "status", "timestamp"}


@examples(200)
@given(st.binary(max_size=300), texts, texts)
def test_whatsapp_signatures(body: bytes, header: str, secret: str) -> None:
    assert signature_valid(body, header, secret) is False or header.startswith("sha256=")


@examples(200)
@given(texts, st.lists(st.lists(st.tuples(texts, texts), max_size=4), max_size=4))
def test_whatsapp_rendering(text: str, rows: list[list[tuple[str, str]]]) -> None:
    from core.events import Choice, Outbound

    outbound = Outbound(text, tuple(tuple(Choice(label, payload) for label, payload in row) for row in rows))
    for body in render(outbound, ListLabels("Choose", "Options")):
        assert body["type"] in {"text", "interactive"}
        if body["type"] == "interactive":
            assert len(body["interactive"]["body"]["text"]) <= 4096
            for section in body["interactive"]["action"].get("sections", []):
                assert all(len(row["title"]) <= 24 for row in section["rows"])


class _NoStore:
    """The web chat's event parsing never touches storage."""


WEBCHAT = WebChat(
    channel=WebChatChannel(transcripts=_NoStore()),  # type: ignore[arg-type]
    submit=lambda event: None,  # type: ignore[arg-type,return-value]
    signer=SIGNER,
    catalogs=catalogs(),
    limits=Limits(max_chars=2000),
)


@examples(300)
@given(webchat_frames, texts)
def test_webchat_frames(frame: Any, token: str) -> None:
    assert SIGNER.chat_of(token) is None  # nothing forged opens a conversation
    if not isinstance(frame, dict):
        return
    client_id = frame.get("id")
    if not isinstance(client_id, str):
        return
    result = WEBCHAT._event("chat", frame, client_id, None)
    assert isinstance(result, str) or (isinstance(result, InboundEvent) and len(result.text) <= 2000)


@examples(150)
@given(st.one_of(texts, json_values.map(lambda value: json.dumps(value, default=str))))
def test_questionnaire_yaml(document: str) -> None:
    try:
        parse_yaml(document)
    except AdminError:
        return


@examples(300)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {},
            optional={
                k: json_values
                for k in (
                    "customer_ref",
                    "order_ref",
                    "questionnaire",
                    "language",
                    "send_at",
                    "segment",
                    "country",
                    "timezone",
                    "channel",
                )
            },
        ),
    )
)
def test_shop_api_bodies(body: Any) -> None:
    try:
        InvitationRequest.model_validate(body)
    except pydantic.ValidationError:
        return
