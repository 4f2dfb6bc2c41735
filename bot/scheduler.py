"""Runs due jobs (deadline reminders, hand-offs, follow-ups): claimed under a lease, retried with backoff."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from storage.jobs import Job, Jobs

log = logging.getLogger("bot.scheduler")
Handler = Callable[[Job], Awaitable[None]]
# Runs every claimed job of its kind together (e.g. counter jobs summed into one write); all or none.
BatchHandler = Callable[[list[Job]], Awaitable[None]]
Clock = Callable[[], datetime]
FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 600.0


class Postpone(Exception):
    """Raised by a handler whose job may not run yet (quiet hours): run it again at `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


CONCURRENT_LANES = 16
MAX_IN_HAND = 200  # jobs claimed and not yet run, at most (their leases are running)


def lane(job: Job) -> str:
    """Jobs sharing a lane run one after another: those of one ticket, one chat, one response, one
    improvement task (its reminder before its overdue alert)."""
    for key in ("ticket", "chat_key", "response", "invitation", "task"):
        value = job.payload.get(key)
        if value:
            return f"{key}:{value}"
    return f"job:{job.id}"


class JobRunner:
    def __init__(
        self,
        *,
        jobs: Jobs,
        handlers: dict[str, Handler],
        clock: Clock = lambda: datetime.now(UTC),
        lease: timedelta = timedelta(minutes=2),
        poll_seconds: float = 1.0,
        worker: str | None = None,
        batches: dict[str, BatchHandler] | None = None,
    ) -> None:
        self._jobs = jobs
        self._handlers = handlers
        # Kinds run a pass's claimed jobs at once: one write for all of them, one to mark them done.
        self._batches = batches or {}
        self._clock = clock
        self._lease = lease
        self._poll_seconds = poll_seconds
        self.worker = worker or uuid.uuid4().hex[:12]
        self._slots = asyncio.Semaphore(CONCURRENT_LANES)
        self._wake = asyncio.Event()
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    def wake(self) -> None:
        """Look for due jobs now instead of at the next poll."""
        self._wake.set()

    async def run_due(self) -> int:
        """Run every job due now that this worker can claim; the number run (successfully or not).

        Jobs about different tickets or customers run side by side (sending is mostly waiting on
        the platform) and the next ones are claimed while they run; jobs about the same one run in
        the order they were due.
        """
        done = 0
        lanes: dict[str, collections.deque[Job]] = {}
        workers: set[asyncio.Task[int]] = set()
        while True:
            in_hand = sum(len(queue) for queue in lanes.values())
            claimed: list[Job] = []
            if not self._stopping and in_hand < MAX_IN_HAND:
                # Only kinds this worker can run: the others wait (e.g. hand-offs while no desk is set up).
                claimed = await self._jobs.claim_due(
                    now=self._clock(),
                    worker=self.worker,
                    lease=self._lease,
                    limit=50,
                    kinds=self.kinds(),
                )
            together: dict[str, list[Job]] = {}
            for job in claimed:
                if job.kind in self._batches:
                    together.setdefault(job.kind, []).append(job)
                    continue
                key = lane(job)
                if key in lanes:
                    lanes[key].append(job)
                else:
                    lanes[key] = collections.deque([job])
                    workers.add(asyncio.create_task(self._run_lane(key, lanes)))
            for kind, batch in together.items():
                workers.add(asyncio.create_task(self._run_batch(kind, batch)))
            if not workers:
                return done
            if claimed and in_hand + len(claimed) < MAX_IN_HAND:
                continue  # more may be due: claim them while these run
            finished, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_COMPLETED)
            workers -= finished
            done += sum(task.result() for task in finished)

    async def _run_lane(self, key: str, lanes: dict[str, collections.deque[Job]]) -> int:
        queue, count = lanes[key], 0
        try:
            async with self._slots:
                while queue:
                    job = queue[0]
                    if self._stopping:
                        # Give the rest back at once instead of leaving them to wait out their lease.
                        for unrun in queue:
                            await self._jobs.retry(unrun, due_at=self._clock(), error="worker stopped")
                        queue.clear()
                        break
                    await self._run(job)
                    queue.popleft()
                    count += 1
        finally:
            del lanes[key]
        return count

    def kinds(self) -> list[str]:
        """The job kinds this runner takes (others wait for a worker that runs them)."""
        return [*self._handlers, *(kind for kind in self._batches if kind not in self._handlers)]

    async def _run_batch(self, kind: str, batch: list[Job]) -> int:
        async with self._slots:
            if self._stopping:
                for job in batch:
                    await self._jobs.retry(job, due_at=self._clock(), error="worker stopped")
                return len(batch)
            try:
                await self._batches[kind](batch)
            except Exception as error:  # all of them wait and are tried again
                for job in batch:
                    await self._jobs.retry(
                        job, due_at=self._clock() + backoff(job.attempts), error=type(error).__name__
                    )
                log.warning("%d %s jobs failed: %s", len(batch), kind, type(error).__name__)
                return len(batch)
            held = await self._jobs.complete_many(batch)
            if held < len(batch):
                log.info("%d %s jobs finished after their lease passed on", len(batch) - held, kind)
        return len(batch)

    async def _run(self, job: Job) -> None:
        try:
            await self._handlers[job.kind](job)
        except Postpone as later:
            await self._jobs.postpone(job, due_at=later.until)
            return
        except Exception as error:  # any failure: the job waits and is tried again
            await self._jobs.retry(
                job, due_at=self._clock() + backoff(job.attempts), error=type(error).__name__
            )
            log.warning("job %s failed (attempt %d): %s", job.kind, job.attempts, type(error).__name__)
            return
        if not await self._jobs.complete(job):
            log.info("job %s finished after its lease passed to another worker", job.kind)

    async def run_forever(self) -> None:
        while not self._stopping:
            self._idle.clear()
            try:
                await self.run_due()
            except Exception:
                log.exception("job pass failed; trying again")
            finally:
                self._idle.set()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)

    async def wait_idle(self) -> None:
        """Until the background loop is between passes (no job of its in hand)."""
        await self._idle.wait()

    async def stop(self, *, timeout: float = 30.0) -> None:
        """Finish the job in hand (a half-done hand-off could be repeated), then stop taking jobs."""
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout=timeout)
