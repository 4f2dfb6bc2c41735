"""Committed effects written in the background, batched, off the reply path.

An answer's effects (its answers copied into `responses`, the completion, the rollup jobs) are not
needed by the customer's next step: the conversation document already holds the answers. The engine
commits them in the conversation's outbox as always, then hands them here instead of applying them
before the reply; when `flush` is called (the dispatcher does, with each batch of events it marks
done), or after `interval` at the latest, they are applied together, the answer sets of all chats in
one bulk write. Until then they stay in each commit's outbox (the engine carries unflushed
ones into the chat's next commit), so a worker that dies first leaves them to whoever loads the
conversation next, as with any pending outbox; and the dispatcher marks an event's inbox entry done
only after a flush, so a restart replays that event and applies them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from conversations import outbox
from conversations.outbox import Effect, Op
from core.jobs import Rollup, SurveyReminder
from storage.store import Store

log = logging.getLogger("conversations.deferred")

# Effects nothing on the reply path reads back: the customer's next step reads the conversation.
DEFERRABLE = frozenset({Op.RESPONSE_ANSWERS, Op.RESPONSE_COMPLETE, Op.JOB})
# Jobs nobody waits for: counters, and reminders a day away. A job that carries a message to
# someone (an admin's notice, an agent's reply) is scheduled before the reply, as before.
DEFERRABLE_JOBS = frozenset({Rollup.KIND, SurveyReminder.KIND})


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    effects: tuple[Effect, ...]


def latest_only(effects: Iterable[Effect]) -> list[Effect]:
    """The effects in order, without answer sets that a later set (or the completion carrying the
    final set) of the same response supersedes."""
    listed = list(effects)
    last: dict[str, int] = {}
    for index, effect in enumerate(listed):
        final = effect.op is Op.RESPONSE_COMPLETE and effect.args.get("answers") is not None
        if effect.op is Op.RESPONSE_ANSWERS or final:
            last[str(effect.args.get("response_id"))] = index
    return [
        effect
        for index, effect in enumerate(listed)
        if effect.op is not Op.RESPONSE_ANSWERS or last[str(effect.args.get("response_id"))] == index
    ]


class DeferredEffects:
    """A worker's queue of committed, not yet applied effects; `flush` applies them in order."""

    def __init__(self, store: Store, *, interval: float) -> None:
        self._store = store
        self._interval = interval
        self._queued: list[_Entry] = []
        self._flushing: list[_Entry] = []
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def add(self, key: str, effects: list[Effect]) -> None:
        """Queue a committed step's effects; applied within `interval`."""
        self._queued.append(_Entry(key, tuple(effects)))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._on_timer)

    def pending_for(self, key: str) -> list[Effect]:
        """The chat's effects not yet known applied: its next commit carries them again."""
        return [e for entry in (*self._flushing, *self._queued) if entry.key == key for e in entry.effects]

    def has_pending(self, key: str) -> bool:
        return any(entry.key == key for entry in (*self._flushing, *self._queued))

    def _on_timer(self) -> None:
        self._timer = None
        task = asyncio.create_task(self._flush_logged(), name="deferred effects")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            # Kept queued: the next flush tries again; the commits still carry them meanwhile.
            log.exception("applying deferred effects failed; will retry")
            if self._queued and self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self._interval, self._on_timer)

    async def flush(self) -> None:
        """Apply everything queued before this call; raises (keeping them queued) if the store fails."""
        async with self._lock:
            if not self._queued:
                return
            self._flushing, self._queued = self._queued, []
            try:
                await self._apply(self._flushing)
            except BaseException:
                self._queued = self._flushing + self._queued
                raise
            finally:
                self._flushing = []

    async def _apply(self, entries: list[_Entry]) -> None:
        effects = latest_only(e for entry in entries for e in entry.effects)
        # Every chat's answer sets in one command; each is the whole set, guarded by its version,
        # so writing them before the completions and jobs below changes nothing they decide.
        sets = [
            (str(e.args["response_id"]), dict(e.args["answers"]), int(e.args["seq"]))
            for e in effects
            if e.op is Op.RESPONSE_ANSWERS
        ]
        await self._store.responses.save_answers_many(sets)
        await outbox.apply(self._store, [e for e in effects if e.op is not Op.RESPONSE_ANSWERS])

    async def close(self) -> None:
        """Apply what is queued (at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self.flush()


def deferrable(effects: list[Effect]) -> bool:
    """True for a step whose every effect can wait for the next flush."""
    return bool(effects) and all(
        effect.op in DEFERRABLE and (effect.op is not Op.JOB or effect.args.get("kind") in DEFERRABLE_JOBS)
        for effect in effects
    )
