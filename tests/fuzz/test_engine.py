"""Random event streams into the real engine and store: never a crash, nothing odd stored.

The streams mix real button payloads (so dialogues get deep: surveys, complaints, tickets), altered
payloads, commands, media and hostile text. Length scales with FUZZ_SCALE.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from typing import Any

from conversations.dialogues.commands import COMMANDS
from conversations.dialogues.dialogue import State
from conversations.engine import Engine
from conversations.tickets.policy import ComplaintPolicy
from core.events import Attachment, EventKind, InboundEvent
from core.questionnaire import BUILTIN_DIR, load_file
from storage.store import Store
from storage.types import Database
from tests.conversations.test_engine import CONFIG, ui
from tests.fuzz.strategies import HOSTILE_TEXTS, SCALE

PAYLOADS = [
    "consent:yes", "consent:no", "language", "lang:es", "lang:ar", "lang:zz", "complain", "complain:r1",
    "complain:no", "cc:yes", "cc:no", "cs:yes", "cs:no", "cat:logistics", "cat:product", "exp:refund",
    "exp:replacement", "ct:evening", "ct:any", "contact:skip", "confirm:submit", "confirm:correct",
    "confirm:cancel", "fix:order", "resume:continue", "resume:restart", "show", "delete:yes", "delete:no",
    "fb:complaint", "fb:suggestion", "fb:praise", "fb:cancel", "skip:after_sales", "back:product_match",
] + [
    f"a:{q}:{v}" for q in ("product_quality", "product_match", "recommend") for v in (0, 1, 3, 5, 10, 11, -1)
]  # fmt: skip
WORDS = [
    "yes",
    "no",
    "4",
    "four",
    "cuatro",
    "A1234-5678",
    "Tetera azul",
    "The box was crushed",
    "+34 600 111 222",
]


def random_event(rng: random.Random, counter: itertools.count[int]) -> InboundEvent:
    chat = str(rng.randrange(6))
    kind = rng.choice(
        [EventKind.TEXT, EventKind.BUTTON, EventKind.BUTTON, EventKind.COMMAND, EventKind.MEDIA]
    )
    text, command = "", ""
    if kind is EventKind.BUTTON:
        text = rng.choice(PAYLOADS)
        if rng.random() < 0.2:  # altered on the way: another customer's ticket, junk appended
            text = rng.choice(
                [text + ":x", text.replace(":", "::"), "prop:C-XXXXXX:yes", "fu:C-ABCDEF:no", text[:3]]
            )
    elif kind is EventKind.COMMAND:
        command = rng.choice([*COMMANDS, "unknown", "", "START", "admin"])
        text = rng.choice(["", *HOSTILE_TEXTS[:8], "q-default__o-A1"])
    elif kind is EventKind.TEXT:
        text = rng.choice(
            [*WORDS, *HOSTILE_TEXTS, "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(40))]
        )
    else:
        text = rng.choice(["photo", "video", "sticker"])
    return InboundEvent(
        kind=kind,
        channel=rng.choice(["telegram", "whatsapp", "web"]),
        chat_key=chat,
        user_key=chat,
        event_id=f"e{next(counter)}",
        text=text,
        command=command,
        message_ref=rng.choice([None, "1", "999999"]),
        language_hint=rng.choice([None, "en", "es", "xx-YY"]),
        attachment=Attachment("photo", "f1") if kind is EventKind.MEDIA else None,
    )


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


async def test_random_event_streams(db: Database) -> None:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="fuzz")
    engine = Engine(
        store=store, catalogs=ui(), config=dataclasses.replace(CONFIG, complaints=ComplaintPolicy())
    )
    rng, counter = random.Random(20261124), itertools.count(1)
    for _ in range(300 * SCALE):
        event = random_event(rng, counter)
        reply = await engine.handle(event)  # must never raise
        for message in reply.messages:
            assert isinstance(message.text, str) and len(message.text) < 20_000
    states = {doc["state"] async for doc in db["conversations"].find({}, {"state": 1})}
    assert states <= {state.value for state in State}
    async for doc in db["responses"].find({}):
        for answer in doc["answers"].values():
            assert answer["skipped"] or isinstance(answer["value"], int | str | bool)
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            assert not any(key.startswith("$") for key in _keys(doc)), name  # operators stay text
