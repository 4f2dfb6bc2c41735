"""Applies counted stages and finished responses to the report counters; finalises forgotten surveys."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.scheduler import BatchHandler, Handler
from conversations.calling_codes import country_of_number
from conversations.dialogues.invitations import invitation_id_for
from conversations.reports import rollups
from conversations.reports.quality import INCOMPLETE, QualityRules, exclusion_reason
from core.jobs import Rollup
from core.responses import Response
from storage.jobs import Job
from storage.store import Store

log = logging.getLogger("bot.rollup_jobs")
DEFAULT_RULES = QualityRules()
Counters = dict[rollups.Key, rollups.Increments]


class RollupJobs:
    def __init__(
        self,
        *,
        store: Store,
        rules: QualityRules = DEFAULT_RULES,
        incomplete_after: timedelta = timedelta(days=7),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._rules = rules
        self._incomplete_after = incomplete_after
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        return {rollups.ROLLUP: self.apply}

    def batches(self) -> dict[str, BatchHandler]:
        """The same jobs, run a pass's worth at a time: one write of the counters for all of them."""
        return {rollups.ROLLUP: self.apply_many}

    async def apply(self, job: Job) -> None:
        await self.apply_many([job])

    async def apply_many(self, jobs: list[Job]) -> None:
        """Count the jobs' stages and finished responses; the counters are written last, in one
        command, so a failure before it counts nothing (the jobs run again)."""
        parts: list[Counters] = []
        for job in jobs:
            rollup = Rollup.read(job.payload)
            day = date.fromisoformat(rollup.day)
            if rollup.stage == rollups.UNSERVED:
                parts.append(rollups.unserved_increment(day, rollup.questionnaire, str(rollup.language)))
            elif rollup.stage != rollups.FINAL:
                # A job may name several stages ("started+consented": a decision that starts a survey).
                stages = rollup.stage.split("+")
                parts += [rollups.funnel_increment(day, rollup.questionnaire, stage) for stage in stages]
            else:
                parts.append(await self._final(str(rollup.response)))
        await self._store.rollups.add(rollups.merge(parts))

    async def _final(self, response_id: str) -> Counters:
        response = await self._store.responses.get(response_id=response_id)
        if response is None or not response.status.finished:
            return {}  # erased at the customer's request, or restarted in the meantime
        assessed = await self.assess(response)
        if assessed is None:
            return {}
        increments, reason = assessed
        await self._store.responses.set_quality(response_id=response_id, excluded=reason)
        return increments

    async def assess(
        self, response: Response
    ) -> tuple[dict[rollups.Key, rollups.Increments], str | None] | None:
        """What a finished response adds to the counters, and why it is left out (None: it counts)."""
        questionnaire = await self._store.questionnaires.get(
            questionnaire_id=response.questionnaire_id, version=response.questionnaire_version
        )
        if questionnaire is None:
            log.warning("a finished response's questionnaire version is missing; not counted")
            return None
        complete = response.complete
        if complete:
            window = None if response.order_ref else self._rules.duplicate_window_days
            not_before = (
                response.completed_at - timedelta(days=window) if window and response.completed_at else None
            )
            duplicate = await self._store.responses.has_earlier(response=response, not_before=not_before)
            reason = exclusion_reason(response, questionnaire, duplicate=duplicate, rules=self._rules)
        else:
            reason = INCOMPLETE
        at = response.completed_at or response.abandoned_at or self._clock()
        day = at.date()
        invitation = None
        if response.order_ref:
            invitation = await self._store.invitations.get(
                invitation_id=invitation_id_for(
                    questionnaire_id=questionnaire.id, order_ref=response.order_ref
                )
            )
        facets = rollups.facets_of(response, invitation)
        if facets.country == rollups.UNKNOWN and response.channel == "whatsapp":
            # Without a country from the shop, a WhatsApp number still tells one (only the code is kept).
            for identity in await self._store.customers.platform_ids(customer_id=response.customer_id):
                country = country_of_number(identity.removeprefix("whatsapp:"))
                if identity.startswith("whatsapp:") and country:
                    facets = dataclasses.replace(facets, country=country)
        parts = [
            rollups.keyed(
                day,
                questionnaire.id,
                facets,
                rollups.response_increments(response, questionnaire, reason=reason),
            )
        ]
        if reason is None:
            drivers = rollups.driver_increments(response, questionnaire)
            parts.append(rollups.driver_keyed(day, questionnaire.id, drivers))
        if complete:
            parts.append(rollups.funnel_increment(day, questionnaire.id, "completed"))
        return rollups.merge(parts), reason

    async def rebuild(self, *, default_questionnaire: str) -> dict[str, int]:
        """Every counter computed again from what is stored (after an upgrade, or a count lost in a crash).

        Run it with the bot stopped: counters written meanwhile by running jobs would be lost or doubled.
        Unserved-language counts are kept as they are: no stored data holds them (only the count).
        """
        kept = await self._unserved_counts()
        await self._store.rollups.clear()
        parts: list[Counters] = [kept]
        counted = {"responses": 0, "invited": 0, "started": 0}
        async for response in self._store.responses.export():
            if response.started_at is not None:
                parts.append(
                    rollups.funnel_increment(
                        response.started_at.date(), response.questionnaire_id, "consented"
                    )
                )
            if response.status.finished:
                assessed = await self.assess(response)
                if assessed is not None:
                    parts.append(assessed[0])
                    await self._store.responses.set_quality(response_id=response.id, excluded=assessed[1])
                    counted["responses"] += 1
            if len(parts) >= 2000:
                await self._store.rollups.add(rollups.merge(parts))
                parts = []
        async for questionnaire_id, at in self._store.invitations.created():
            parts.append(rollups.funnel_increment(at.date(), questionnaire_id, "invited"))
            counted["invited"] += 1
        async for recorded, at in self._store.consents.survey_decisions():
            parts.append(rollups.funnel_increment(at.date(), recorded or default_questionnaire, "started"))
            counted["started"] += 1
        await self._store.rollups.add(rollups.merge(parts))
        return counted

    async def _unserved_counts(self) -> Counters:
        overall = await self._store.rollups.read(
            start=date.min, end=date.max, questionnaire=None, axes=[rollups.ALL]
        )
        kept: Counters = {}
        for doc in overall:
            counts = doc.get(rollups.UNSERVED)
            if isinstance(counts, dict) and counts:
                key = (str(doc["day"]), str(doc["questionnaire"]), rollups.ALL, rollups.ALL)
                kept[key] = {f"{rollups.UNSERVED}.{code}": int(n) for code, n in counts.items()}
        return kept

    async def sweep(self) -> int:
        """Surveys left unfinished for `incomplete_after` count as incomplete (with where they stopped)."""
        cutoff = self._clock() - self._incomplete_after
        stale = await self._store.responses.stale(started_before=cutoff)
        for response in stale:
            chat = await self._store.conversations.for_response(response_id=response.id)
            if chat is not None and isinstance(chat.get("answers"), dict):
                # Answers reach `responses` when a survey ends; where it stopped is counted from them.
                await self._store.responses.save_answers(
                    response_id=response.id, answers=dict(chat["answers"]), seq=int(chat.get("version", 0))
                )
            await self._store.responses.abandon(response_id=response.id)
            await rollups.count(
                self._store.jobs,
                stage=rollups.FINAL,
                questionnaire_id=response.questionnaire_id,
                entity=response.id,
                at=self._clock(),
                response_id=response.id,
            )
        return len(stale)
