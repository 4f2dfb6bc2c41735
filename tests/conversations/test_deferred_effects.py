"""An answer's effects applied in the background: carried by each commit until applied, never lost.

The engines here defer with an interval no test reaches, so nothing is applied until a test flushes
(or a command does): what the store holds at each point is exact, without timing.
"""

from __future__ import annotations

from typing import Any

from conversations.deferred import deferrable, latest_only
from conversations.dialogues.dialogue import State
from conversations.engine import Engine
from conversations.outbox import Effect, Op
from core.events import InboundEvent
from core.questionnaire import Questionnaire, QuestionType
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


def values(response: dict[str, Any]) -> dict[str, Any]:
    return {qid: a["value"] for qid, a in response["answers"].items()}


async def finish(chat: Chat, questionnaire: Questionnaire) -> InboundEvent:
    """Answer every question still asked (4 to each rating); the last answer sent."""
    last: InboundEvent | None = None
    while (conversation := await chat.existing())["state"] == State.SURVEY:
        qid = str(conversation["question_id"])
        question = questionnaire.question(qid)
        assert question is not None
        if question.type is QuestionType.RATING5:
            last = chat.button(f"a:{qid}:4")
        elif question.type is QuestionType.SCALE10:
            last = chat.button(f"a:{qid}:9")
        else:
            last = chat.button(f"skip:{qid}")
        await chat.send(last)
    assert last is not None
    return last


async def test_answers_stay_in_the_conversation_until_the_survey_ends(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await deferring(db, default_questionnaire)
    chat = Chat(engine, db)
    await chat.agree()  # consent and the response's start are applied at once
    await chat.send(chat.button("a:product_quality:5"))
    await chat.send(chat.button("a:product_match:4"))
    # An answer writes nothing but its commit: the conversation holds the answers so far.
    conversation = await chat.existing()
    assert carried(conversation) == []
    assert {qid: a["value"] for qid, a in conversation["answers"].items()} == {
        "product_quality": 5,
        "product_match": 4,
    }
    await engine.flush()
    assert values(await chat.response()) == {}

    await finish(chat, default_questionnaire)
    # The completion, with the whole set, rides along in the commit until a flush applies it.
    assert "responses.complete" in [e["op"] for e in carried(await chat.existing())]
    assert (await chat.response())["status"] == "in_progress"
    await engine.close()
    response = await chat.response()
    assert response["status"] == "complete"
    assert values(response)["product_quality"] == 5 and values(response)["recommend"] == 9


async def test_a_worker_that_dies_before_flushing_leaves_its_effects_to_the_next(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    doomed = await deferring(db, default_questionnaire)
    chat = Chat(doomed, db)
    await chat.agree()
    await chat.send(chat.button("a:product_quality:5"))
    last = await finish(chat, default_questionnaire)
    # `doomed` never flushes. Its event is replayed elsewhere (its inbox entry was never marked done):
    # the other worker applies what the commit carries and answers with the stored reply.
    survivor = await deferring(db, default_questionnaire)
    assert (await chat.send(last, survivor)).messages
    response = await chat.response()
    assert response["status"] == "complete"
    assert values(response)["product_quality"] == 5 and len(values(response)) > 5


async def test_leaving_a_survey_writes_its_answers_so_far(
    db: Database, default_questionnaire: Questionnaire
) -> None:
    engine = await deferring(db, default_questionnaire)
    chat = Chat(engine, db)
    await chat.agree()
    await chat.send(chat.button("a:product_quality:1"))
    await chat.send(chat.button("a:product_match:3"))
    assert values(await chat.response()) == {}
    await chat.send(chat.command("stop"))
    response = await chat.response()
    assert response["status"] == "abandoned"
    assert values(response) == {"product_quality": 1, "product_match": 3}


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
