"""Counter jobs: a consent that starts a survey counts both funnel stages in one job; the sweep of
forgotten surveys abandons a response left in progress with the answers it had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.rollup_jobs import RollupJobs
from bot.scheduler import JobRunner
from conversations.dialogues.survey import STARTED_AND_CONSENTED
from conversations.engine import Engine
from conversations.rendering import Branding
from conversations.turn import EngineConfig
from core.events import EventKind, InboundEvent
from core.questionnaire import BUILTIN_DIR, load_file
from locales.catalog import catalogs
from storage.store import Store
from storage.types import Database


def _event(n: int, kind: EventKind, text: str = "", command: str = "", chat: str = "1") -> InboundEvent:
    return InboundEvent(
        kind=kind,
        channel="telegram",
        chat_key=f"chat-{chat}",
        user_key=f"user-{chat}",
        event_id=f"sweep-{n}",
        text=text,
        command=command,
        message_ref="42",
    )


async def _engine(db: Database) -> tuple[Store, Engine]:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    config = EngineConfig(
        branding=Branding(company="Acme", privacy_url="https://acme.example/p", retention_days=30),
        default_language="en",
        default_questionnaire="default",
    )
    return store, Engine(store=store, catalogs=catalogs(), config=config)


async def test_a_consent_that_starts_a_survey_counts_both_stages_in_one_job(db: Database) -> None:
    store, engine = await _engine(db)
    await engine.handle(_event(1, EventKind.COMMAND, command="start"))
    await engine.handle(_event(2, EventKind.BUTTON, "consent:yes"))
    await engine.handle(_event(3, EventKind.COMMAND, command="start", chat="2"))
    await engine.handle(_event(4, EventKind.BUTTON, "consent:no", chat="2"))
    stages = sorted([doc["payload"]["stage"] async for doc in db["jobs"].find({"kind": "rollup"})])
    assert stages == ["started", STARTED_AND_CONSENTED]
    runner = JobRunner(jobs=store.jobs, handlers={}, batches=RollupJobs(store=store).batches())
    while await runner.run_due():
        pass
    (counters,) = await db["rollups"].find({"axis": "all"}).to_list()
    assert counters["funnel"] == {"started": 2, "consented": 1}


async def test_a_forgotten_survey_is_abandoned_with_its_answers_so_far(db: Database) -> None:
    store, engine = await _engine(db)
    await engine.handle(_event(1, EventKind.COMMAND, command="start"))
    await engine.handle(_event(2, EventKind.BUTTON, "consent:yes"))
    await engine.handle(_event(3, EventKind.BUTTON, "a:product_quality:3"))
    await engine.handle(_event(4, EventKind.BUTTON, "a:product_match:4"))
    response = await db["responses"].find_one({})
    assert response is not None and response["answers"] == {}  # kept in the conversation meanwhile

    later = datetime.now(UTC) + timedelta(days=8)
    assert await RollupJobs(store=store, clock=lambda: later).sweep() == 1
    response = await db["responses"].find_one({})
    assert response is not None and response["status"] == "abandoned"
    assert {qid: a["value"] for qid, a in response["answers"].items()} == {
        "product_quality": 3,
        "product_match": 4,
    }
