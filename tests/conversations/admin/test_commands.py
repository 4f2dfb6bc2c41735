"""Admin commands through the engine: a questionnaire from nothing to published, review rules, audit."""

from __future__ import annotations

import dataclasses

import yaml

from conversations.engine import Engine
from core.questionnaire import parse_questionnaire
from handlers.translator import TranslationService
from storage.store import Store
from storage.types import Database
from tests.conversations.test_engine import CONFIG, Chat, payloads, t, ui
from tests.default_questionnaire import DEFAULT

ALICE, BOB = "test:alice", "test:bob"
PULSE = """\
id: pulse
version: 1
languages: [en]
title:
  en: "a quick check"
questions:
  - id: delivery
    type: rating5
    dimension: logistics
    text:
      en: "How satisfied are you with our amazing delivery?"
  - id: why
    type: text
    required: false
    show_if: {question: delivery, in: [7]}
    text:
      en: "What went wrong?"
"""


def engine(store: Store) -> Engine:
    return Engine(
        store=store, catalogs=ui(), config=dataclasses.replace(CONFIG, admins=frozenset({ALICE, BOB}))
    )


def admin(eng: Engine, db: Database, who: str) -> Chat:
    return Chat(eng, db, chat_key=f"chat-{who}", user_key=who.removeprefix("test:"))


async def run(chat: Chat, line: str) -> str:
    reply = await chat.send(chat.command("admin", line))
    (message,) = reply.messages
    return message.text


async def test_from_nothing_to_published_with_a_second_admin(db: Database, store: Store) -> None:
    eng = engine(store)
    alice, bob = admin(eng, db, ALICE), admin(eng, db, BOB)

    created = await run(alice, "new\n" + PULSE)
    assert "Working copy 'pulse' created" in created
    assert "delivery: leading wording (presumes a quality of what is rated): 'our amazing'" in created
    assert "why: never shown" in created
    assert "zh (customers there get en)" in created

    fixed = await run(alice, 'text pulse delivery en "How satisfied are you with the delivery?"')
    assert "leading wording" not in fixed
    await run(alice, "remove pulse why")
    for code, words in (
        ("de", "Wie zufrieden sind Sie mit der Lieferung?"),
        ("es", "¿Está satisfecho con la entrega?"),
    ):
        await run(alice, f'text pulse delivery {code} "{words}"')
    assert "title in de changed" in await run(alice, 'title pulse de "ein kurzer Check"')
    await run(alice, 'title pulse es "una consulta rápida"')
    shown = await run(alice, "show pulse")
    assert "draft" in shown and "1. delivery [rating5, logistics]" in shown and "de, es" in shown

    assert "submitted" in await run(alice, "submit pulse")
    assert "Not done: approval must come from an admin who did not write or submit it" == await run(
        alice, "approve pulse"
    )
    assert "Not done: pulse is submitted, not approved" == await run(bob, "publish pulse")
    assert "approved" in await run(bob, "approve pulse")
    assert "pulse v1 published" in await run(bob, "publish pulse")

    # A customer arriving by the questionnaire's deep link gets it.
    customer = Chat(eng, db, chat_key="c1", user_key="u1")
    reply = await customer.send(customer.command("start", "q-pulse"))
    assert "a quick check" in reply.messages[0].text
    reply = await customer.send(customer.button("consent:yes"))
    assert "How satisfied are you with the delivery?" in reply.messages[-1].text

    # Version 2 while the customer is mid-survey: they keep v1, a newcomer gets v2.
    await run(alice, 'text pulse delivery en "How satisfied are you with the speed of delivery?"')
    await run(alice, "submit pulse")
    await run(bob, "approve pulse")
    assert "pulse v2 published" in await run(bob, "publish pulse")
    await customer.send(customer.button("a:delivery:4"))
    response = await db["responses"].find_one({"customer_id": (await customer.existing())["customer_id"]})
    assert (
        response is not None and response["questionnaire_version"] == 1 and response["status"] == "complete"
    )
    newcomer = Chat(eng, db, chat_key="c2", user_key="u2")
    await newcomer.send(newcomer.command("start", "q-pulse"))
    reply = await newcomer.send(newcomer.button("consent:yes"))
    assert "speed of delivery" in reply.messages[-1].text

    listing = await run(bob, "list")
    assert "• pulse — v2, published" in listing and f"• default — v{DEFAULT.version}, published" in listing

    audit = await run(bob, "audit")
    assert "test:bob approve pulse — done" in audit
    assert "test:alice approve pulse — refused (approval must come from" in audit


async def test_export_is_the_shipped_format_and_round_trips(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    reply = await alice.send(alice.command("admin", "export default"))
    (message,) = reply.messages
    assert message.document is not None and message.document[0] == "default.yaml"
    exported = parse_questionnaire(yaml.safe_load(message.document[1]), source="export")
    assert exported == await store.questionnaires.latest(questionnaire_id="default")


async def test_invalid_yaml_and_invalid_questionnaires_name_the_problem(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    broken = await run(alice, "new\nid: [unclosed")
    assert broken.startswith("Not done: not valid YAML:")
    invalid = await run(alice, "new\n" + PULSE.replace("type: rating5", "type: stars"))
    assert invalid.startswith("Not done: the YAML sent: question 'delivery' field type:")
    assert (await run(alice, "new")).startswith("New questionnaire, step by step (no YAML).")
    assert await run(alice, "show nothing-here") == "Not done: no questionnaire 'nothing-here'"
    assert (await run(alice, "frobnicate")).startswith("Unknown command 'frobnicate'")
    assert await db["questionnaire_drafts"].count_documents({}) == 0


async def test_customers_cannot_run_admin_commands_and_are_audited(db: Database, store: Store) -> None:
    eng = engine(store)
    stranger = Chat(eng, db, chat_key="c9", user_key="mallory")
    reply = await stranger.send(stranger.command("admin", "list"))
    assert [m.text for m in reply.messages] == [t("unknown.command")]
    entry = await db["audit"].find_one({})
    assert entry is not None and entry["actor"] == "test:mallory" and entry["outcome"] == "refused"
    reply = await stranger.send(stranger.command("report", "--by country"))
    assert [m.text for m in reply.messages] == [t("unknown.command")]
    assert await db["audit"].count_documents({"actor": "test:mallory", "outcome": "refused"}) == 2


async def test_report_is_a_shortcut_for_admins(db: Database, store: Store) -> None:
    eng = engine(store)
    alice = admin(eng, db, ALICE)
    reply = await alice.send(alice.command("report", "--from 2026-11-01 --to 2026-11-07"))
    (message,) = reply.messages
    assert message.text.startswith("Feedback report 2026-11-01 – 2026-11-07 · all questionnaires")


async def test_closing_sends_newcomers_to_the_default_and_editing_rules(db: Database, store: Store) -> None:
    eng = engine(store)
    alice, bob = admin(eng, db, ALICE), admin(eng, db, BOB)
    assert "Working copy 'quick' created from 'default'" in await run(alice, "copy default quick")
    assert "moved to position 1" in await run(alice, "move quick recommend 1")
    assert "required: no" in await run(alice, "required quick recommend no")
    added = await run(alice, 'add quick\nid: extra\ntype: yesno\ntext: {en: "Was it easy to pay?"}')
    # Only English for the new question: the working copy is English-only until the rest is added.
    assert "extra added" in added and "no texts in ar, cs, de, es" in added
    await run(alice, "submit quick")
    assert "Not done: quick is submitted; reject it back to draft before editing" == await run(
        alice, "remove quick extra"
    )
    assert "sent back to draft: needs all languages" in await run(bob, "reject quick needs all languages")
    restored = await run(alice, "remove quick extra")
    assert "Before review" not in restored  # all twelve languages are complete again
    await run(alice, "submit quick")
    await run(bob, "approve quick")
    await run(bob, "publish quick")
    assert "quick closed" in await run(bob, "close quick")
    customer = Chat(eng, db, chat_key="c3", user_key="u3")
    reply = await customer.send(customer.command("start", "q-quick"))
    assert "consent:yes" in payloads(reply.messages[0])
    assert (await customer.existing())["questionnaire_id"] == "default"
    assert "Not done: quick is closed; copy it to a new id to change it" == await run(
        alice, "required quick recommend yes"
    )


async def test_preview_runs_the_working_copy_and_stores_nothing(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    await run(alice, "new\n" + PULSE.replace("in: [7]", "in: [1, 2]"))
    reply = await alice.send(alice.command("admin", "preview pulse"))
    assert reply.messages[0].text.startswith("Preview of pulse v1")
    assert payloads(reply.messages[-1]) == [f"a:delivery:{n}" for n in range(1, 6)]
    reply = await alice.send(alice.button("a:delivery:2"))  # the condition shows the follow-up question
    assert "What went wrong?" in reply.messages[-1].text
    reply = await alice.send(alice.text("Late"))
    assert reply.messages[-1].text == "Preview of pulse finished — nothing was stored."
    assert await db["responses"].count_documents({}) == 0
    assert await db["consents"].count_documents({}) == 0
    conversation = await alice.existing()
    assert conversation["detour"] is None and conversation["questionnaire_id"] is None
    assert await run(alice, "preview nothing") == "Not done: no questionnaire 'nothing'"


class Tagging:
    """A translation provider that tags the text with the target language; `broken` makes it fail."""

    name = "tagging"
    broken = False

    def translate(self, text: str, *, source: str, target: str) -> str:
        if self.broken:
            raise ConnectionError("provider down")
        return f"[{target}] {text}"


async def test_machine_translated_drafts_need_a_review_before_approval(db: Database, store: Store) -> None:
    provider = Tagging()
    config = dataclasses.replace(CONFIG, admins=frozenset({ALICE, BOB}))
    eng = Engine(
        store=store,
        catalogs=ui(),
        config=config,
        translator=TranslationService(provider, None, rate_per_second=None),
    )
    alice, bob = admin(eng, db, ALICE), admin(eng, db, BOB)
    await run(
        alice, "new\n" + PULSE.replace("our amazing delivery", "the delivery").replace("in: [7]", "in: [1]")
    )
    provider.broken = True
    failed = await run(alice, "translate pulse de")
    assert failed.startswith("Not done: translation into de failed") and "nothing was changed" in failed
    provider.broken = False
    drafted = await run(alice, "translate pulse de")
    assert "de drafted by machine translation" in drafted and "machine-translated, unreviewed: de" in drafted
    reply = await alice.send(alice.command("admin", "export pulse"))
    assert reply.messages[0].document is not None and "[de] a quick check" in reply.messages[0].document[1]
    assert (await run(alice, "translate pulse xx")).startswith(
        "Not done: 'xx' is not one of the bot's languages"
    )
    await run(alice, "submit pulse")
    assert "machine-translated texts are not reviewed: de" in await run(bob, "approve pulse")
    assert (
        await run(alice, "translate pulse")
        == "Not done: pulse is submitted; reject it back to draft before editing"
    )
    await run(bob, "reject pulse review the German")
    shown = await run(alice, "show pulse")
    assert "Sent back by test:bob: review the German" in shown
    assert "1. delivery [rating5, logistics]: How satisfied are you with the delivery?" in shown
    assert "   de (machine, unreviewed): [de] How satisfied are you with the delivery?" in shown
    assert "test:bob reject pulse — done (review the German)" in await run(alice, "audit")
    await run(alice, "review pulse de")
    assert "(machine, unreviewed)" not in await run(alice, "show pulse")
    await run(alice, "submit pulse")
    assert "approved" in await run(bob, "approve pulse")


async def test_coverage_counts_invited_opened_consented_completed(db: Database, store: Store) -> None:
    from conversations.dialogues.invitations import InvitationRequest, invite
    from tests.conversations.dialogues.test_complaint import MONDAY_10, finish_survey

    eng = Engine(
        store=store,
        catalogs=ui(),
        config=dataclasses.replace(CONFIG, admins=frozenset({ALICE}), clock=lambda: MONDAY_10),
    )
    payloads_by_order = {}
    for order in ("A1", "A2", "A3"):
        request = InvitationRequest(customer_ref=f"c-{order}", order_ref=order, questionnaire="default")
        result = await invite(store, request, now=MONDAY_10, deep_link=lambda p: None, source="test")
        payloads_by_order[order] = result.start_payload
    opener = Chat(eng, db, chat_key="c1", user_key="u1")
    await opener.send(opener.command("start", payloads_by_order["A1"]))
    completer = Chat(eng, db, chat_key="c2", user_key="u2")
    await completer.send(completer.command("start", payloads_by_order["A2"]))
    await finish_survey(completer, low=False, started=True)
    report = await run(admin(eng, db, ALICE), "coverage default 7")
    assert report.splitlines()[1:] == [
        "• invited: 3 (100 %)",
        "• opened: 2 (67 %)",
        "• consented: 1 (33 %)",
        "• completed: 1 (33 %)",
    ]


async def test_link_for_one_order_audit_names_new_and_translate_needs_a_provider(
    db: Database, store: Store
) -> None:
    config = dataclasses.replace(
        CONFIG, admins=frozenset({ALICE}), deep_link=lambda payload: f"https://t.me/shop_bot?start={payload}"
    )
    alice = admin(Engine(store=store, catalogs=ui(), config=config), db, ALICE)
    assert await run(alice, "link default A-1234") == (
        "Link to default for order A-1234:\nhttps://t.me/shop_bot?start=q-default__o-A-1234"
    )
    assert await run(alice, "link default") == "Link to default:\nhttps://t.me/shop_bot?start=q-default"
    assert await run(alice, "link default bad/order") == (
        "Not done: an order reference in a link is 1–40 letters, digits or -"
    )
    await run(alice, "new\n" + PULSE)
    assert (await run(alice, "link pulse")).startswith("Not done: 'pulse' is not published")
    no_provider = await run(alice, "translate pulse de")
    assert no_provider.startswith("Not done: no translation provider is configured: set TRANSLATION_PROVIDER")
    audit = await run(alice, "audit")
    assert "test:alice new pulse — done" in audit
    assert "test:alice translate pulse — refused (no translation provider" in audit


async def test_link_without_a_bot_username_gives_the_start_payload(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    assert await run(alice, "link default 991") == (
        "Start payload: q-default__o-991\nSet TELEGRAM_BOT_USERNAME to get the full t.me link."
    )


async def test_lint_asks_only_for_the_languages_the_shop_serves(db: Database, store: Store) -> None:
    config = dataclasses.replace(CONFIG, admins=frozenset({ALICE}), survey_languages=("en", "de"))
    alice = admin(Engine(store=store, catalogs=ui(), config=config), db, ALICE)
    created = await run(alice, "new\n" + PULSE.replace("our amazing delivery", "the delivery"))
    assert "no texts in de (customers there get en)" in created and "zh" not in created
    await run(alice, 'text pulse delivery de "Wie zufrieden sind Sie mit der Lieferung?"')
    await run(alice, 'text pulse why de "Was lief schief?"')
    done = await run(alice, 'title pulse de "ein kurzer Check"')
    assert "no texts in" not in done


async def test_diff_shows_what_the_working_copy_changes_per_language(db: Database, store: Store) -> None:
    alice = admin(engine(store), db, ALICE)
    published = f"published v{DEFAULT.version}"
    assert await run(alice, "diff default") == f"default: the working copy is the {published}."
    await run(alice, 'text default delivery_speed de "Wie zufrieden sind Sie mit der Lieferzeit insgesamt?"')
    await run(alice, "remove default comments")
    await run(alice, "dimension default ease_of_use website")
    await run(alice, "move default recommend 1")
    changes = await run(alice, "diff default")
    lines = changes.splitlines()
    assert lines[0] == f"default, working copy against the published v{DEFAULT.version}:"
    assert "- comments: Is there anything else you would like to tell us?" in lines
    assert "~ ease_of_use dimension: usability → website" in lines
    assert (
        "~ delivery_speed [de]: “Wie zufrieden sind Sie mit der Lieferzeit?” → "
        "“Wie zufrieden sind Sie mit der Lieferzeit insgesamt?”"
    ) in lines
    assert lines[-1].startswith("~ order: recommend → product_quality")
    assert not any("[en]" in line for line in lines)  # only what changed, language by language
    assert (
        await run(alice, "diff nothing")
    ) == "Not done: 'nothing' is not published; `show nothing` shows the whole working copy"


async def test_translate_without_a_language_drafts_every_language_the_shop_serves(
    db: Database, store: Store
) -> None:
    config = dataclasses.replace(CONFIG, admins=frozenset({ALICE}), survey_languages=("en", "de", "es"))
    eng = Engine(
        store=store,
        catalogs=ui(),
        config=config,
        translator=TranslationService(Tagging(), None, rate_per_second=None),
    )
    alice = admin(eng, db, ALICE)
    await run(
        alice, "new\n" + PULSE.replace("our amazing delivery", "the delivery").replace("in: [7]", "in: [1]")
    )
    drafted = await run(alice, "translate pulse")
    assert "pulse: de, es drafted by machine translation." in drafted
    assert "machine-translated, unreviewed: de, es" in drafted and "no texts in" not in drafted
    assert (
        await run(alice, "translate pulse") == "pulse: every language the shop serves has its texts already."
    )


async def test_a_preview_started_in_the_middle_of_a_survey_keeps_its_answers_so_far(
    db: Database, store: Store
) -> None:
    alice = admin(engine(store), db, ALICE)
    await alice.agree()
    await alice.send(alice.button("a:product_quality:4"))
    await run(alice, "new\n" + PULSE)
    reply = await alice.send(alice.command("admin", "preview pulse"))
    assert reply.messages[0].text.startswith("Preview of pulse v1")
    # The survey left for the preview: its answers are in `responses` (the conversation's are the preview's).
    (response,) = await db["responses"].find({}).to_list()
    assert response["status"] == "in_progress"
    assert {qid: a["value"] for qid, a in response["answers"].items()} == {"product_quality": 4}
