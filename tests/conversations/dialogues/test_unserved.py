"""A customer writing a language the shop does not serve: the fallback, a note saying so, a count."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from conversations.dialogues import unserved
from conversations.engine import Engine
from conversations.rendering import Branding
from conversations.turn import EngineConfig, Reply
from core.events import EventKind, InboundEvent
from handlers.translator import NoneProvider, TranslationService
from locales.catalog import catalogs
from storage.store import Store
from storage.types import Database

SERVED = ("en", "zh", "es", "fr", "de", "ru", "pt", "ar", "ja", "ko", "tr", "id")
CONFIG = EngineConfig(
    branding=Branding(company="Acme Shop", privacy_url="https://acme.example/privacy", retention_days=90),
    default_language="en",
    default_questionnaire="default",
    served_languages=SERVED,
)
_ids = itertools.count(1)


def event(kind: EventKind, text: str = "", *, hint: str | None = None, user: str = "u1") -> InboundEvent:
    return InboundEvent(
        kind=kind,
        channel="test",
        chat_key=f"chat-{user}",
        user_key=user,
        event_id=f"ev-{next(_ids)}",
        text=text,
        command="start" if kind is EventKind.COMMAND else "",
        language_hint=hint,
    )


def engine(store: Store, config: EngineConfig = CONFIG) -> Engine:
    return Engine(
        store=store, catalogs=catalogs(), config=config, translator=TranslationService(NoneProvider(), None)
    )


async def customer(db: Database, user: str = "u1") -> dict[str, object]:
    identity = await db["identities"].find_one({"_id": f"test:{user}"})
    assert identity is not None
    found = await db["customers"].find_one({"_id": identity["customer_id"]})
    assert found is not None
    return found


def texts(reply: Reply) -> list[str]:
    return [message.text for message in reply.messages]


async def test_an_italian_customer_gets_english_with_a_note_naming_italian(
    db: Database, store: Store
) -> None:
    bot = engine(store)
    first = await bot.handle(event(EventKind.TEXT, "Buongiorno, il mio pacco non è mai arrivato"))
    assert texts(first)[0] == "We don't have this survey in Italian yet; here it is in English."
    assert len(texts(first)) > 1  # the dialogue's own reply follows, in English
    assert (await customer(db))["language"] == "en"
    again = await bot.handle(event(EventKind.TEXT, "Grazie mille"))
    assert not any("Italian" in text for text in texts(again))  # said once, not on every message


async def test_the_demand_is_counted_once_per_customer(db: Database, store: Store) -> None:
    bot = engine(store)
    await bot.handle(event(EventKind.TEXT, "Il mio pacco non è mai arrivato"))
    await bot.handle(event(EventKind.TEXT, "Dov'è il mio ordine?"))
    jobs = [job async for job in db["jobs"].find({"payload.stage": "unserved"})]
    assert [(job["payload"]["language"], job["payload"]["questionnaire"]) for job in jobs] == [
        ("it", "default")
    ]


async def test_a_platform_hint_of_an_unserved_language_gets_the_note_on_start(
    db: Database, store: Store
) -> None:
    reply = await engine(store).handle(event(EventKind.COMMAND, hint="it-IT"))
    assert texts(reply)[0] == "We don't have this survey in Italian yet; here it is in English."
    assert (await customer(db))["language"] == "en"


async def test_the_shops_chosen_fallback_is_used_and_named_in_it(db: Database, store: Store) -> None:
    config = dataclasses.replace(CONFIG, fallback_languages={"uk": "ru"})
    reply = await engine(store, config).handle(event(EventKind.TEXT, "Моє замовлення так і не прийшло"))
    assert texts(reply)[0] == "Этого опроса пока нет на языке «украинский»; вот он на языке «русский»."
    assert (await customer(db))["language"] == "ru"


async def test_a_fallback_to_an_unserved_language_is_not_taken(db: Database, store: Store) -> None:
    config = dataclasses.replace(CONFIG, fallback_languages={"uk": "be"})
    reply = await engine(store, config).handle(event(EventKind.TEXT, "Моє замовлення так і не прийшло"))
    assert texts(reply)[0] == "We don't have this survey in Ukrainian yet; here it is in English."


async def test_a_served_language_gets_no_note(db: Database, store: Store) -> None:
    reply = await engine(store).handle(event(EventKind.TEXT, "Mi pedido no ha llegado"))
    assert (await customer(db))["language"] == "es"
    assert texts(reply) and not any(
        text.startswith(("Todavía no tenemos", "We don't have")) for text in texts(reply)
    )
    assert await db["jobs"].count_documents({"payload.stage": "unserved"}) == 0


async def test_a_served_detection_beats_an_unserved_hint(db: Database, store: Store) -> None:
    reply = await engine(store).handle(event(EventKind.TEXT, "Mi pedido no ha llegado", hint="it"))
    assert (await customer(db))["language"] == "es"
    assert not any("Italian" in text or "italiano" in text for text in texts(reply))


@pytest.mark.parametrize(
    "hint", ["", "12", "x-klingon-bogus", "zz", "😀", "en-US", "pt-BR", "und", "mul", "root", "ıt", "i"]
)
def test_hints_that_name_no_unserved_language(hint: str) -> None:
    assert unserved.of_hint(hint, SERVED) is None


@pytest.mark.parametrize(
    ("hint", "language"), [("it", "it"), ("uk-UA", "uk"), ("nl_BE", "nl"), ("HE", "he"), ("kl", "kl")]
)
def test_hints_that_name_an_unserved_language(hint: str, language: str) -> None:
    assert unserved.of_hint(hint, SERVED) == language


def test_language_names_are_written_in_the_language_of_the_note() -> None:
    assert unserved.language_name("it", in_language="en") == "Italian"
    assert unserved.language_name("it", in_language="de") == "Italienisch"
    assert unserved.language_name("qqq", in_language="en") == "qqq"


def test_fallback_is_the_shops_choice_only_when_served() -> None:
    choose = unserved.fallback_for
    assert choose("uk", fallbacks={"uk": "ru"}, default="en", served=SERVED) == "ru"
    assert choose("uk", fallbacks={"uk": "be"}, default="en", served=SERVED) == "en"
    assert choose("it", fallbacks={"uk": "ru"}, default="de", served=SERVED) == "de"
