"""Hostile inputs for every parser: JSON of any shape, platform payloads with fields of the wrong type."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# `FUZZ_SCALE=100 ./dev.sh test tests/fuzz` runs the large campaign (≥ 100,000 cases); the suite runs 1.
SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))


def examples(count: int) -> settings:
    return settings(
        max_examples=count * SCALE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


HOSTILE_TEXTS = [
    '{"$gt": ""}',
    "$where",
    "{'$ne': null}",
    "<script>alert(1)</script>",
    "\x00\x01\x1b[31m\u202e\ufeff",
    "/start q-" + "A" * 200,
    "/admin new\n" + "x: [" * 50,
    "a:product_quality:99",
    "back:recommend",
    "prop:C-XXXXXX:yes",
    "invite:../../etc/passwd",
    "lang:xx",
    "🙂" * 3000,
    "x" * 70_000,
    "",
    " ",
    "\n\n",
    "1e309",
    "-0",
    "NaN",
]
texts = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE_TEXTS), st.text(max_size=5000))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


def field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a well-typed value, sometimes anything at all."""
    return st.one_of(good, good, good, json_values)


ids = st.one_of(st.integers(min_value=-(2**63), max_value=2**63), st.integers(min_value=1, max_value=10**12))
users = st.fixed_dictionaries(
    {"id": field(ids), "is_bot": field(st.booleans()), "first_name": field(texts)},
    optional={"language_code": field(st.sampled_from(["en", "es", "zz", "", "es-MX"]) | texts)},
)
chats = st.fixed_dictionaries(
    {"id": field(ids), "type": field(st.sampled_from(["private", "group", "channel", "supergroup"]))}
)


def record(required: dict[str, Any], **optional: Any) -> st.SearchStrategy[Any]:
    """A JSON object whose fields are mostly well-typed, sometimes anything, sometimes missing."""
    return field(
        st.fixed_dictionaries(
            {key: field(value) for key, value in required.items()},
            optional={key: field(value) for key, value in optional.items()},
        )
    )


def some(item: st.SearchStrategy[Any], size: int = 3) -> st.SearchStrategy[Any]:
    return field(st.lists(item, max_size=size))


photo = record({"file_id": texts, "file_unique_id": texts, "width": ids, "height": ids})
entity = record({"type": st.sampled_from(["bot_command", "url"]), "offset": ids, "length": ids})
telegram_messages = record(
    {"message_id": ids, "date": st.integers(0, 2**32), "chat": chats},
    **{"from": users},
    text=texts,
    caption=texts,
    photo=some(photo),
    document=record({"file_id": texts, "file_unique_id": texts}, file_size=ids),
    entities=some(entity),
    sticker=json_values,
)
callback_queries = record(
    {"id": texts, "from": users, "chat_instance": texts}, data=texts, message=telegram_messages
)
telegram_updates = record(
    {"update_id": ids},
    message=telegram_messages,
    edited_message=telegram_messages,
    callback_query=callback_queries,
)

reply = record({"id": texts})
wa_messages = record(
    {
        "from": st.from_regex(r"\A[0-9]{6,15}\Z") | texts,
        "id": texts,
        "type": st.sampled_from(["text", "interactive", "button", "image", "audio", "reaction", "x"]),
    },
    timestamp=st.from_regex(r"\A[0-9]{1,14}\Z") | texts,
    text=record({"body": texts}),
    interactive=record({}, button_reply=reply, list_reply=reply),
    button=record({"payload": texts}),
    image=record({"id": texts}),
)
wa_statuses = record({"id": texts, "status": texts})
wa_values = record({}, messages=some(wa_messages), statuses=some(wa_statuses, 2))
wa_changes = some(record({"value": wa_values}), 2)
wa_payloads = record(
    {"object": st.just("whatsapp_business_account")}, entry=some(record({"changes": wa_changes}), 2)
)

client_ids = st.from_regex(r"\A[A-Za-z0-9_-]{1,40}\Z") | texts
webchat_frames = st.one_of(
    record(
        {"type": st.sampled_from(["text", "button", "hello", "x"]), "id": client_ids},
        text=texts,
        payload=texts,
        ref=texts,
        token=texts,
    ),
    json_values,
)
