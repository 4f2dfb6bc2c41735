"""Templates from the policy: each lint-clean in every shipped language, and usable by button."""

from __future__ import annotations

import pytest

from conversations.admin.questionnaire_lint import lint
from conversations.admin.questionnaire_templates import NAMES, template
from core.admin_payloads import UseTemplate
from locales.catalog import catalogs
from storage.store import Store
from storage.types import Database
from tests.conversations.admin.test_commands import ALICE, admin, engine, run
from tests.conversations.test_engine import payloads


@pytest.mark.parametrize("language", catalogs().languages)
@pytest.mark.parametrize("name", NAMES)
def test_every_template_is_lint_clean_in_every_shipped_language(name: str, language: str) -> None:
    found = template(name)
    assert found is not None
    assert language in found.languages
    assert lint(found, languages=(language,), max_minutes=5) == []


def test_the_post_delivery_template_is_the_shipped_default() -> None:
    found = template("post-delivery")
    assert found is not None and found.id == "default"
    assert {q.dimension for q in found.questions} >= {
        "product",
        "logistics",
        "after_sales",
        "usability",
        "payment",
        "communication",
    }
    assert template("nothing") is None


async def test_new_from_template_by_button_and_by_name(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    reply = await alice.send(alice.command("admin", "new from-template"))
    (offer,) = reply.messages
    assert payloads(offer) == [UseTemplate(name).pack() for name in NAMES]
    assert "nps-pulse — NPS pulse" in offer.text
    reply = await alice.send(alice.button(UseTemplate("post-delivery").pack()))
    picked = reply.messages[-1].text
    assert picked == "Working copy 'post-delivery' created from the template 'post-delivery'."
    created = await run(alice, "new from-template repair")
    assert created == "Working copy 'repair' created from the template 'repair'."
    again = await run(alice, "new from-template repair")
    assert again == "Working copy 'repair-2' created from the template 'repair'."
    named = await run(alice, "new from-template nps-pulse pulse-q4")
    assert named.startswith("Working copy 'pulse-q4' created")
    assert await run(alice, "new from-template nps-pulse pulse-q4") == (
        "Not done: 'pulse-q4' exists already; give another id"
    )
    assert (await run(alice, "new from-template glossy")).startswith("Not done: no template 'glossy'")
    assert "test:alice new repair-2 — done" in await run(alice, "audit")
    drafts = {doc["_id"] async for doc in db["questionnaire_drafts"].find({})}
    assert drafts == {"post-delivery", "repair", "repair-2", "pulse-q4"}
