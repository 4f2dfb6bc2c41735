"""The guided questionnaire builder through the engine: buttons and typed wording, no YAML."""

from __future__ import annotations

import dataclasses
import random
from typing import get_args

from conversations.admin.builder_draft import BuilderDraft
from conversations.engine import Engine
from core.admin_payloads import (
    BuilderArrange,
    BuilderCondition,
    BuilderDimension,
    BuilderKind,
    BuilderMenu,
    BuilderRequired,
    DimensionName,
    KindName,
    MarkReviewed,
    ReviewAction,
    TemplateName,
    UseTemplate,
    WhenName,
)
from handlers.translator import TranslationService
from storage.store import Store
from storage.types import Database
from tests.conversations.admin.test_commands import ALICE, BOB, Tagging, admin
from tests.conversations.test_engine import CONFIG, Chat, payloads, ui


def builder_engine(store: Store, *, translator: TranslationService | None = None) -> Engine:
    config = dataclasses.replace(CONFIG, admins=frozenset({ALICE, BOB}), survey_languages=("en", "de", "es"))
    return Engine(store=store, catalogs=ui(), config=config, translator=translator)


async def say(chat: Chat, text: str) -> str:
    reply = await chat.send(chat.text(text))
    return reply.messages[-1].text


async def press(chat: Chat, payload: str) -> tuple[str, list[str]]:
    reply = await chat.send(chat.button(payload))
    assert reply.messages, reply.notice
    return reply.messages[-1].text, payloads(reply.messages[-1])


async def test_a_questionnaire_built_by_buttons_with_translations_beside(db: Database, store: Store) -> None:
    eng = builder_engine(store, translator=TranslationService(Tagging(), None, rate_per_second=None))
    alice = admin(eng, db, ALICE)
    reply = await alice.send(alice.command("admin", "new"))
    assert "Title, as customers see it" in reply.messages[-1].text
    assert "Topic in a few words" in await say(alice, "your repair")
    menu = await say(alice, "Repair check!")
    assert menu.startswith("repair-check — your repair") and "No questions yet." in menu

    kinds, buttons = await press(alice, BuilderMenu("add").pack())
    assert kinds == "Question 1: what kind?"
    assert BuilderKind("rating5").pack() in buttons and BuilderKind("text").pack() in buttons
    await press(alice, BuilderKind("rating5").pack())
    assert "Type the question" in (await press(alice, BuilderDimension("after_sales").pack()))[0]
    shown = await say(alice, "How satisfied are you with our excellent repair?")
    # The live preview as the customer sees it, the translations beside, and lint at once.
    assert "┆ How satisfied are you with our excellent repair?" in shown and "[1 · " in shown
    assert "de (machine): [de] How satisfied are you with our excellent repair?" in shown
    assert "leading wording" in shown and "machine-translated, unreviewed: de, es" in shown
    menu, buttons = await press(alice, BuilderRequired(True).pack())
    assert "Question 1 added." in menu and BuilderMenu("save").pack() in buttons

    await press(alice, BuilderMenu("add").pack())
    await press(alice, BuilderKind("text").pack())
    await press(alice, BuilderDimension("general").pack())
    await say(alice, "What should we do better?")
    condition, buttons = await press(alice, BuilderRequired(False).pack())
    assert BuilderCondition("low", 1).pack() in buttons and "Show it always" in condition
    menu, _ = await press(alice, BuilderCondition("low", 1).pack())
    assert "2. [free text, general, optional, conditional]" in menu

    # Reorder: a question that depends on the one above cannot move over it; remove works.
    await press(alice, BuilderMenu("add").pack())
    await press(alice, BuilderKind("yesno").pack())
    await press(alice, BuilderDimension("general").pack())
    await say(alice, "Was the repair done on time?")
    await press(alice, BuilderRequired(True).pack())
    await press(alice, BuilderCondition("always").pack())
    arrange, buttons = await press(alice, BuilderMenu("arrange").pack())
    assert "3. Was the repair done on time?" in arrange
    assert BuilderArrange("up", 2).pack() in buttons and BuilderArrange("remove", 1).pack() in buttons
    stays, _ = await press(alice, BuilderArrange("up", 2).pack())
    assert "q2 depends on q1, so it stays below it." in stays
    moved, _ = await press(alice, BuilderArrange("up", 3).pack())
    assert "2. Was the repair done on time?\n3. What should we do better?" in moved
    removed, _ = await press(alice, BuilderArrange("remove", 2).pack())
    assert "q3 removed." in removed and "Was the repair done on time?" not in removed
    await press(alice, BuilderMenu("done").pack())

    saved, _ = await press(alice, BuilderMenu("save").pack())
    assert "Working copy 'repair-check' saved." in saved
    stored = await db["questionnaire_drafts"].find_one({"_id": "repair-check"})
    assert stored is not None and stored["machine_translated"] == ["de", "es"]
    assert stored["definition"]["languages"] == ["en", "de", "es"]
    assert stored["definition"]["questions"][1]["show_if"] == {"question": "q1", "in": [1, 2]}
    assert (await alice.existing())["builder"] is None
    audit = await db["audit"].find_one({"action": "new", "target": "repair-check"})
    assert audit is not None and audit["detail"] == "guided builder"


async def test_bad_input_gets_an_answer_and_the_build_can_be_cancelled(db: Database, store: Store) -> None:
    eng = builder_engine(store)
    alice = admin(eng, db, ALICE)
    await alice.send(alice.command("admin", "new"))
    assert "at most 120 here" in await say(alice, "x" * 5000)
    assert "That was empty" in await say(alice, "   ")
    stale_step, _ = await press(alice, BuilderKind("yesno").pack())  # a button of another step
    assert stale_step.startswith("Type it as a message.\n\nTitle, as customers see it")
    await say(alice, "a check")
    assert "'default' exists already" in await say(alice, "Default")
    await say(alice, "pulse")
    _, _ = await press(alice, BuilderMenu("save").pack())
    assert "Add a question first." in (await press(alice, BuilderMenu("save").pack()))[0]
    forged = await alice.send(alice.button("qbk:stars"))  # no such kind: not a builder button
    assert forged.notice == "That button is not part of this step." and not forged.messages
    assert await db["questionnaire_drafts"].count_documents({}) == 0
    cancelled, _ = await press(alice, BuilderMenu("cancel").pack())
    assert cancelled == "Questionnaire builder cancelled; nothing was saved."
    stale = await alice.send(alice.button(BuilderMenu("add").pack()))
    assert stale.notice == "This questionnaire builder has ended; /admin new starts another."
    # Without a translator only the admin's language is written; lint says which are missing.
    await alice.send(alice.command("admin", "new"))
    await say(alice, "quick")
    await say(alice, "quick one")
    await press(alice, BuilderMenu("add").pack())
    await press(alice, BuilderKind("choice").pack())
    await press(alice, BuilderDimension("general").pack())
    assert "Type the options" in await say(alice, "Where did you order?")
    assert "Give 2 to 10 options" in await say(alice, "App")
    shown = await say(alice, "App\nWebsite")
    assert "[App] [Website]" in shown and "no texts in de, es" in shown


async def test_a_customer_cannot_drive_the_builder(db: Database, store: Store) -> None:
    eng = builder_engine(store)
    mallory = Chat(eng, db, chat_key="c9", user_key="mallory")
    reply = await mallory.send(mallory.button(BuilderMenu("add").pack()))
    assert reply.notice is not None
    reply = await mallory.send(mallory.command("admin", "new"))
    assert (await mallory.existing())["builder"] is None
    assert await db["audit"].count_documents({"actor": "test:mallory", "outcome": "refused"}) == 1


async def test_random_presses_and_texts_never_break_the_builder(db: Database, store: Store) -> None:
    """Builder, template and review buttons (also altered or stale) and hostile text, in any order."""
    presses = [
        *(BuilderMenu(a).pack() for a in ("add", "arrange", "done", "save", "cancel")),
        *(BuilderKind(k).pack() for k in get_args(KindName)),
        *(BuilderDimension(d).pack() for d in get_args(DimensionName)),
        BuilderRequired(True).pack(),
        BuilderRequired(False).pack(),
        *(BuilderCondition(w, n).pack() for w in get_args(WhenName) for n in (0, 1, 2, 9)),
        *(BuilderArrange(h, n).pack() for h in ("up", "remove") for n in (0, 1, 2, 3, 99)),
        *(UseTemplate(t).pack() for t in get_args(TemplateName)),
        *(
            ReviewAction(a, q).pack()
            for a in ("preview", "approve", "changes", "submit")
            for q in ("default", "nothing")
        ),
        *(MarkReviewed(code, q).pack() for code in ("de", "xx") for q in ("default", "post-delivery")),
        "qbc:low:-5",
        "qbm:up:999999999",
        "qb:",
        "qbk:",
        "rv:approve:",
    ]
    texts = ["", " ", "x" * 5000, "How satisfied are you?", "A\nB\nC", "$where", "Default", "🙂" * 100]
    eng = builder_engine(store, translator=TranslationService(Tagging(), None, rate_per_second=None))
    alice = admin(eng, db, ALICE)
    rng = random.Random(20261206)
    for _ in range(250):
        roll = rng.random()
        if roll < 0.08:
            event = alice.command("admin", "new")
        elif roll < 0.6:
            event = alice.button(rng.choice(presses))
        else:
            event = alice.text(rng.choice(texts))
        reply = await alice.send(event)  # must never raise
        assert reply.messages or reply.notice is not None
        kept = (await alice.existing()).get("builder")
        if kept is not None:
            BuilderDraft.from_document(kept)  # what is kept always reads back
    async for doc in db["questionnaire_drafts"].find({}):
        assert doc["definition"]["questions"], doc["_id"]
