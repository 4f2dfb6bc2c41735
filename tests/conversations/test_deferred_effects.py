"""An answer's effects applied in the background: carried by each commit until applied, never lost.

The engines here defer with an interval no test reaches, so nothing is applied until a test flushes
(or a command does): what the store holds at each point is exact, without timing.
"""

from __future__ import annotations

from typing import Any

from conversations.deferred import deferrable, latest_only
from conversations.engine import Engine
from conversations.outbox import Effect, Op
from core.questionnaire import Questionnaire
from storage.types import Database
from tests.conversations.test_engine import CONFIG, Chat, default_questionnaire, open_store, ui

__all__ = ["default_questionnaire"]  # the fixture, shared with the engine's tests
NEVER = 3600.0


async def deferring(db: Database, questionnaire: Questionnaire) -> Engine:
    return Engine(
        store=await open_store(db, questionnaire), catalogs=ui(), config=CONFIG, defer_seconds=NEVER
    )


def carried(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return list((conversation.get("outbox") or {}).get("effects", []))


def answer_sets(conversation: dict[str, Any]) -> list[set[str]]:
    return [set(e["args"]["answers"]) for e in carried(conversation) if e["op"] == "responses.answers"]


def values(response: dict[str, Any]) -> dict[str, Any]:
    return {qid: a["value"] for qid, a in response["answers"].items()}


async def test_answers_ride_along_in_each_commit_until_a_flush_applies_them(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await deferring(db, default_questionnaire)
    chat = Chat(engine, db)
    await chat.agree()  # consent and the response's start are applied at once
    await chat.send(chat.button("a:product_quality:5"))
    assert values(await chat.response()) == {}
    assert answer_sets(await chat.existing()) == [{"product_quality"}]

    await chat.send(chat.button("a:product_match:4"))
    # Only the latest set rides along: it holds every answer so far.
    assert answer_sets(await chat.existing()) == [{"product_quality", "product_match"}]
    assert values(await chat.response()) == {}

    await engine.flush()
    assert values(await chat.response()) == {"product_quality": 5, "product_match": 4}
    await chat.send(chat.button("a:delivery_speed:3"))
    assert answer_sets(await chat.existing()) == [{"product_quality", "product_match", "delivery_speed"}]
    await engine.close()
    assert values(await chat.response())["delivery_speed"] == 3


async def test_a_worker_that_dies_before_flushing_leaves_its_effects_to_the_next(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    doomed = await deferring(db, default_questionnaire)
    chat = Chat(doomed, db)
    await chat.agree()
    await chat.send(chat.button("a:product_quality:5"))
    last = chat.button("a:product_match:2")
    reply = await chat.send(last)
    # `doomed` never flushes. Its event is replayed elsewhere (its inbox entry was never marked done):
    # the other worker applies what the commit carries and answers with the stored reply.
    survivor = await deferring(db, default_questionnaire)
    assert await chat.send(last, survivor) == reply
    assert values(await chat.response()) == {"product_quality": 5, "product_match": 2}


async def test_a_command_first_applies_what_its_chat_has_queued(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await deferring(db, default_questionnaire)
    chat = Chat(engine, db)
    await chat.agree()
    await chat.send(chat.button("a:product_quality:1"))
    assert values(await chat.response()) == {}
    await chat.send(chat.command("help"))
    assert values(await chat.response()) == {"product_quality": 1}


def test_only_the_latest_answer_set_of_a_response_is_kept() -> None:
    older = Effect(Op.RESPONSE_ANSWERS, {"response_id": "r1", "answers": {"a": 1}, "seq": 3})
    other = Effect(Op.RESPONSE_ANSWERS, {"response_id": "r2", "answers": {"a": 2}, "seq": 3})
    job = Effect(Op.JOB, {"job_id": "j"})
    newer = Effect(Op.RESPONSE_ANSWERS, {"response_id": "r1", "answers": {"a": 1, "b": 2}, "seq": 4})
    assert latest_only([older, other, job, newer]) == [other, job, newer]
    final = Effect(Op.RESPONSE_COMPLETE, {"response_id": "r1", "answers": {"a": 1, "b": 3}, "seq": 5})
    assert latest_only([older, newer, final]) == [final]
    plain = Effect(Op.RESPONSE_COMPLETE, {"response_id": "r1"})  # without the final set: keeps the last
    assert latest_only([older, newer, plain]) == [newer, plain]


def test_a_job_that_carries_a_message_is_not_deferred() -> None:
    answers = Effect(Op.RESPONSE_ANSWERS, {"response_id": "r1", "answers": {}, "seq": 1})
    counter = Effect(Op.JOB, {"job_id": "rollup:x", "kind": "rollup"})
    notice = Effect(Op.JOB, {"job_id": "admin.notice:x", "kind": "admin.notice"})
    assert deferrable([answers, counter])
    assert not deferrable([answers, notice])
    assert not deferrable([])
