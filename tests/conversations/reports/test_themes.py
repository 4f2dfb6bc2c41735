"""Themes of free text: the offline assignment in several languages, the pivot, and a period's themes
with their counts, links, redacted quotes and suppression of small groups; assignments stored once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conversations.erasure import erase_customer
from conversations.reports.theme_lexicon import ThemeKey
from conversations.reports.theme_matching import METHOD, assign, english_pivot
from conversations.reports.themes import catch_up, themes_for_period
from handlers.translator import TranslationService
from storage.store import Store
from storage.translations import TranslationCache
from storage.types import Database
from tests.default_questionnaire import DEFAULT

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_assignment_in_several_languages_and_scripts() -> None:
    assert assign("La caja llegó aplastada", "es").theme is ThemeKey.PARCEL_DAMAGE
    assert assign("Mir wurde zweimal abgebucht", "de").theme is ThemeKey.PRICE_PAYMENT
    assert assign("退款还没到账", "zh").theme is ThemeKey.REFUND_RETURN
    assert assign("Служба поддержки молчит", "ru").theme is ThemeKey.CUSTOMER_SERVICE
    # A topic word alone counts half: praise of the service is praise, not a service complaint.
    assert assign("Great service, thanks", "en").theme is ThemeKey.PRAISE
    assert assign("Bonjour", "fr") == assign("Bonjour", "fr")  # deterministic
    assert assign("Bonjour", "fr").theme is ThemeKey.OTHER


def test_the_languages_shipped_later_and_their_scripts() -> None:
    assert assign("Il corriere è in ritardo di una settimana", "it").theme is ThemeKey.DELIVERY_TIME
    assert assign("Przesyłka przyszła uszkodzona", "pl").theme is ThemeKey.PARCEL_DAMAGE
    assert assign("Tôi muốn được hoàn tiền", "vi").theme is ThemeKey.REFUND_RETURN
    # Thai has no spaces between words: the stem is found inside the run, and is the term.
    thai = assign("อยากได้เงินคืนค่ะ", "th")
    assert thai.theme is ThemeKey.REFUND_RETURN and thai.terms == ("เงินคืน",)
    # A Devanagari word is whole although its vowel signs are not `\w` to Python.
    hindi = assign("पैकेजिंग फटी हुई थी", "hi")
    assert hindi.theme is ThemeKey.PARCEL_DAMAGE and "पैकेजिंग" in hindi.terms
    assert assign("ושירות הלקוחות לא עונה", "he").theme is ThemeKey.CUSTOMER_SERVICE  # attached ו
    # Persian typed with Arabic ي and a zero-width non-joiner finds the stems written with ی and a space.
    assert assign("بسته\u200cبندي پاره بود", "fa").theme is ThemeKey.PARCEL_DAMAGE


def test_the_english_pivot_groups_a_language_without_stems() -> None:
    finnish = "Kuriiri ei ole vielä tullut"
    assert assign(finnish, "fi").theme is ThemeKey.OTHER
    pivoted = assign(finnish, "fi", english="The courier is late and has not shown up yet")
    assert pivoted.theme is ThemeKey.DELIVERY_TIME and "late" in pivoted.terms


async def test_period_themes_with_links_quotes_and_small_groups_left_out(store: Store, db: Database) -> None:
    late = [
        "El pedido llegó con dos semanas de retraso",
        "Entrega muy tarde, más de diez días",
        "Todavía no ha llegado y ya es tarde",
        "Retraso enorme en la entrega",
        "Mi paquete se retrasó otra vez, escríbanme a ana.lopez@example.com",
    ]
    await db["feedback"].insert_many(
        [
            {
                "_id": f"f{i}",
                "kind": "suggestion",
                "text": text,
                "language": "es",
                "received_at": MONDAY + timedelta(days=3, hours=i),
            }
            for i, text in enumerate(late)
        ]
        + [
            {
                "_id": "p1",
                "kind": "praise",
                "text": "Todo perfecto, gracias",
                "language": "es",
                "received_at": MONDAY,
            },
            {
                "_id": "old",
                "kind": "suggestion",
                "text": "Retraso",
                "language": "es",
                "received_at": MONDAY - timedelta(days=30),
            },
        ]
    )
    await db["tickets"].insert_many(
        [
            {
                "_id": f"T{i}",
                "source": f"event-{i}",
                "description": "The delivery was late by a week",
                "description_language": "en",
                "category": "logistics",
                "created_at": MONDAY + timedelta(days=1),
            }
            for i in range(5)
        ]
    )
    answers = {
        "delivery_speed": {"value": 1},
        "parcel_condition": {"value": 2},
        "comments": {"value": "Too slow, it arrived late"},
    }
    await db["responses"].insert_many(
        [
            {
                "_id": f"r{i}",
                "customer_id": f"c{i}",
                "questionnaire_id": "default",
                "questionnaire_version": DEFAULT.version,
                "status": "complete",
                "completed_at": MONDAY + timedelta(days=2),
                "answers": answers,
                "quality": {"excluded": None},
                "language": "en",
            }
            for i in range(5)
        ]
    )
    themes = await themes_for_period(
        store, start=date(2026, 11, 16), end=date(2026, 11, 22), min_group=5, now=NOW
    )

    (theme,) = themes  # praise has one text: below the minimum group, left out
    assert theme.key is ThemeKey.DELIVERY_TIME and theme.count == 15
    assert theme.periods == {"2026-W47": 15}
    assert theme.categories == {"logistics": 5}
    assert theme.dimensions == {"logistics": 5}
    assert theme.label.startswith("delivery time: ") and theme.top_terms[0] == "late"
    # The three most recent, redacted.
    assert theme.quotes == (
        "Mi paquete se retrasó otra vez, escríbanme a [email]",
        "Retraso enorme en la entrega",
        "Todavía no ha llegado y ya es tarde",
    )

    # Stored once per text (the month-old one too): a second report reads them instead of making them again.
    assert await db["theme_assignments"].count_documents({"method": METHOD}) == 17
    assert await catch_up(store, now=NOW) == 0
    again = await themes_for_period(
        store, start=date(2026, 11, 16), end=date(2026, 11, 22), min_group=5, now=NOW
    )
    assert again == themes

    # Texts written since are assigned by the next report; an erased customer's words leave the quotes.
    await db["feedback"].insert_one(
        {
            "_id": "new",
            "kind": "suggestion",
            "text": "Llegó tarde otra vez",
            "language": "es",
            "received_at": NOW,
        }
    )
    await db["feedback"].delete_one({"_id": "f4"})
    later = await themes_for_period(
        store, start=date(2026, 11, 16), end=date(2026, 11, 23), min_group=5, now=NOW + timedelta(hours=1)
    )
    delivery = next(t for t in later if t.key is ThemeKey.DELIVERY_TIME)
    assert delivery.count == 16 and delivery.quotes[0] == "Llegó tarde otra vez"
    assert all("escríbanme" not in quote for quote in delivery.quotes)


class Dictionary:
    """A translation provider that knows one Italian sentence (the provider interface is ours)."""

    name = "dictionary"
    calls = 0

    def translate(self, text: str, *, source: str, target: str) -> str:
        Dictionary.calls += 1
        assert (source, target) == ("it", "en")
        return {"Il corriere non si è ancora visto": "The courier is late and has not shown up yet"}[text]


async def test_the_pivot_goes_through_the_translator_and_its_cache(store: Store, db: Database) -> None:
    await db["feedback"].insert_many(
        [
            {
                "_id": f"i{i}",
                "kind": "suggestion",
                "text": "Il corriere non si è ancora visto",
                "language": "it",
                "received_at": MONDAY + timedelta(minutes=i),
            }
            for i in range(5)
        ]
    )
    translator = TranslationService(Dictionary(), TranslationCache(db), rate_per_second=None)
    themes = await themes_for_period(
        store,
        start=date(2026, 11, 16),
        end=date(2026, 11, 22),
        min_group=5,
        now=NOW,
        pivot=english_pivot(translator),
    )
    assert [(t.key, t.count) for t in themes] == [(ThemeKey.DELIVERY_TIME, 5)]
    assert Dictionary.calls == 1  # the same text again comes from the translation cache
    assert await db["translation_cache"].count_documents({}) == 1


async def test_a_changed_lexicon_assigns_every_text_again(store: Store, db: Database) -> None:
    await db["feedback"].insert_one(
        {"_id": "f1", "kind": "suggestion", "text": "Llegó tarde", "language": "es", "received_at": MONDAY}
    )
    await db["theme_assignments"].insert_one(
        {"_id": "lexicon-0|feedback:f1", "key": "feedback:f1", "method": "lexicon-0", "theme": "other"}
    )
    await db["theme_watermarks"].insert_one(
        {"_id": "lexicon-0:feedback", "method": "lexicon-0", "until": NOW}
    )
    assert await catch_up(store, now=NOW) == 1
    (doc,) = await db["theme_assignments"].find({}).to_list(None)
    assert doc["method"] == METHOD and doc["theme"] == "delivery_time"
    assert await db["theme_watermarks"].count_documents({"method": "lexicon-0"}) == 0


async def test_an_erased_customer_leaves_the_assignments_and_the_counts(store: Store, db: Database) -> None:
    await db["feedback"].insert_many(
        [
            {
                "_id": f"f{i}",
                "customer_id": f"c{i}",
                "kind": "suggestion",
                "text": "Llegó tarde otra vez",
                "language": "es",
                "received_at": MONDAY,
            }
            for i in range(6)
        ]
    )
    await catch_up(store, now=NOW)
    await erase_customer(store, customer_id="c0", channel="telegram", chat_key="1", event_id="e1", at=NOW)
    assert await db["theme_assignments"].count_documents({"key": "feedback:f0"}) == 0
    (theme,) = await themes_for_period(
        store, start=date(2026, 11, 16), end=date(2026, 11, 22), min_group=5, now=NOW
    )
    assert theme.count == 5


async def test_texts_a_crash_left_stored_after_the_last_reading_are_counted_once(
    store: Store, db: Database
) -> None:
    # A reading stopped after storing Monday's assignments but before moving its watermark past them.
    texts = [
        {"_id": f"f{i}", "kind": "suggestion", "text": "Llegó tarde", "language": "es", "received_at": MONDAY}
        for i in range(6)
    ]
    await db["feedback"].insert_many(texts[:3])
    assert await catch_up(store, now=NOW) == 3
    await db["theme_watermarks"].update_one(
        {"_id": f"{METHOD}:feedback"}, {"$set": {"until": MONDAY - timedelta(days=30)}}
    )
    await db["feedback"].insert_many(texts[3:])
    await catch_up(store, now=NOW)
    assert await db["theme_assignments"].count_documents({}) == 6
    (theme,) = await themes_for_period(
        store, start=date(2026, 11, 16), end=date(2026, 11, 22), min_group=5, now=NOW
    )
    assert theme.count == 6
