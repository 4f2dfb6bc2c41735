"""The 24-hour window rule over the real WhatsApp adapter and the fake Graph API (injectable clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.service_window import MARGIN, REFRESH, WINDOW, Templates, WindowedChannel
from conversations.turn import Reply
from core.events import Choice, EventKind, InboundEvent, Outbound, Unprompted
from handlers.whatsapp import WhatsAppChannel
from locales.catalog import catalogs
from storage.store import Store
from storage.types import Database
from tests.clock import Clock
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, FakeGraph

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NUMBER = "4915112345678"
TEMPLATES = Templates(
    names={"invitation": "feedback_invitation", "reminder": "feedback_reminder"},
    languages={"en": "en_US", "de": "de"},
)


def invitation(language: str = "de") -> Outbound:
    why = Unprompted("invitation", language, ("Acme\nShop", "A-1001"))
    return Outbound("Ihre Meinung?", ((Choice("Los geht's", "invite:abc"),),), unprompted=why)


def wrote(at: datetime, event_id: str = "wamid.1") -> InboundEvent:
    return InboundEvent(
        kind=EventKind.TEXT,
        channel="whatsapp",
        chat_key=NUMBER,
        user_key=NUMBER,
        event_id=event_id,
        text="hallo",
        sent_at=int(at.timestamp()),
    )


async def windowed(db: Database, graph: FakeGraph, clock: Clock) -> WindowedChannel:
    adapter = WhatsAppChannel(
        base_url=graph.base_url,
        phone_number_id=PHONE_NUMBER_ID,
        access_token=TOKEN,
        catalogs=catalogs(),
        default_language="en",
    )
    return WindowedChannel(adapter, store=await Store.open(db), templates=TEMPLATES, clock=clock)


async def test_free_form_inside_the_window_template_outside(db: Database, graph: FakeGraph) -> None:
    clock = Clock(NOW)
    channel = await windowed(db, graph, clock)
    await channel.customer_wrote(wrote(NOW))
    await channel.send(NUMBER, [invitation()])
    assert graph.sent[-1]["type"] == "interactive" and graph.templates(NUMBER) == []

    clock.now = NOW + timedelta(hours=23, minutes=55)  # inside 24 h, but too close to its end
    await channel.send(NUMBER, [invitation()])
    (template,) = graph.templates(NUMBER)
    assert template == {
        "name": "feedback_invitation",
        "language": {"code": "de"},
        "components": [
            # Line breaks are not allowed in template parameters.
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Acme Shop"}, {"type": "text", "text": "A-1001"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "invite:abc"}],
            },
        ],
    }


async def test_the_window_follows_the_latest_message_not_the_latest_delivery(
    db: Database, graph: FakeGraph
) -> None:
    clock = Clock(NOW)
    channel = await windowed(db, graph, clock)
    await channel.customer_wrote(wrote(NOW - timedelta(hours=2), "wamid.new"))
    await channel.customer_wrote(wrote(NOW - timedelta(hours=30), "wamid.old"))  # redelivered late
    assert await channel.window_open(NUMBER)
    clock.now = NOW + timedelta(hours=22)
    assert not await channel.window_open(NUMBER)
    future = wrote(NOW + timedelta(days=2), "wamid.future")  # a skewed timestamp counts as now
    await channel.customer_wrote(future)
    clock.now = NOW + timedelta(hours=47)
    assert not await channel.window_open(NUMBER)


async def test_no_template_for_the_purpose_or_language_holds_the_message_once(
    db: Database, graph: FakeGraph
) -> None:
    clock = Clock(NOW)
    channel = await windowed(db, graph, clock)
    followup = Outbound("Still solved?", unprompted=Unprompted("followup", "de", ("C-1",)))
    plain = Outbound("No purpose given")
    await channel.send(NUMBER, [followup, plain])
    await channel.send(NUMBER, [followup, plain])  # a retried job
    assert graph.sent == []
    assert await db["held_messages"].count_documents({}) == 2
    # A language without its own template falls back to the default language's.
    await channel.send(NUMBER, [invitation(language="fr")])
    assert graph.templates(NUMBER)[-1]["language"] == {"code": "en_US"}


async def stored_window(db: Database) -> datetime:
    doc = await db["service_windows"].find_one({"_id": f"whatsapp:{NUMBER}"})
    assert doc is not None
    at: datetime = doc["last_inbound_at"]
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def test_a_chat_s_window_is_stored_once_per_refresh_and_closes_that_much_earlier(
    db: Database, graph: FakeGraph
) -> None:
    clock = Clock(NOW)
    channel = await windowed(db, graph, clock)
    await channel.customer_wrote(wrote(NOW))
    clock.now = NOW + REFRESH - timedelta(seconds=1)
    await channel.customer_wrote(wrote(clock.now, "wamid.2"))  # an answer a moment later: not stored
    assert await stored_window(db) == NOW
    clock.now = NOW + REFRESH + timedelta(seconds=1)
    await channel.customer_wrote(wrote(clock.now, "wamid.3"))
    assert await stored_window(db) == clock.now
    # What was not stored only makes the window close earlier: free-form is never sent after it.
    last_stored = clock.now
    clock.now = last_stored + WINDOW - MARGIN - timedelta(seconds=1)
    assert await channel.window_open(NUMBER)
    clock.now = last_stored + WINDOW - MARGIN
    assert not await channel.window_open(NUMBER)


async def test_held_messages_are_looked_for_once_after_each_stored_window(
    db: Database, graph: FakeGraph
) -> None:
    clock = Clock(NOW - timedelta(days=2))
    channel = await windowed(db, graph, clock)
    followup = Outbound("Still solved?", unprompted=Unprompted("followup", "de", ("C-1",)))
    await channel.send(NUMBER, [followup])  # no window, no template: held
    clock.now = NOW
    first = wrote(NOW)
    await channel.customer_wrote(first)
    await channel.deliver(first, Reply((Outbound("Danke"),)))
    assert [m["text"]["body"] for m in graph.to(NUMBER)] == ["Still solved?", "Danke"]
    assert await db["held_messages"].count_documents({}) == 0

    # Held by another worker that found the window closed just before it was stored (a race): the
    # answers of the next minutes do not look again; the first message after the refresh brings it.
    await db["held_messages"].insert_one(
        {"_id": "late", "chat": f"whatsapp:{NUMBER}", "message": followup.to_document(), "held_at": NOW}
    )
    clock.now = NOW + timedelta(minutes=1)
    second = wrote(clock.now, "wamid.2")
    await channel.customer_wrote(second)
    await channel.deliver(second, Reply((Outbound("Frage 2"),)))
    assert await db["held_messages"].count_documents({}) == 1
    clock.now = NOW + REFRESH + timedelta(minutes=1)
    third = wrote(clock.now, "wamid.3")
    await channel.customer_wrote(third)
    await channel.deliver(third, Reply((Outbound("Frage 3"),)))
    assert [m["text"]["body"] for m in graph.to(NUMBER)][-2:] == ["Still solved?", "Frage 3"]
    assert await db["held_messages"].count_documents({}) == 0
