"""From accepted event to reply: durable inbox first, then each chat's events in order, chats concurrently."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from bot.metrics import Metrics
from conversations.engine import Engine
from conversations.turn import Reply
from core.events import EventKind, InboundEvent, Outbound
from storage.inbox import Inbox

log = logging.getLogger("bot.dispatch")


class Channel(Protocol):
    """A channel adapter's sending side."""

    name: str

    async def deliver(self, event: InboundEvent, reply: Reply) -> None: ...

    async def send(self, chat_key: str, messages: list[Outbound]) -> None: ...

    async def fetch(self, ref: str) -> bytes | None:
        """A file the customer sent, by the platform's reference; None when it cannot be had."""
        ...


def running(lookup: Callable[[str], Channel | None], name: str) -> Channel:
    """The channel adapter `name`, or an error that makes a job wait and retry (it runs elsewhere)."""
    channel = lookup(name)
    if channel is None:
        raise RuntimeError(f"the {name} channel is not running in this worker")
    return channel


class Dispatcher:
    def __init__(
        self,
        *,
        engine: Engine,
        inbox: Inbox,
        metrics: Metrics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        batch_seconds: float | None = None,
    ) -> None:
        self._clock = clock
        # Finished events are marked done in one command per `batch_seconds` (None: one by one),
        # always after the engine has applied their effects; until then they stay in flight here.
        self._batch_seconds = batch_seconds
        self._finished: list[InboundEvent] = []
        self._marking = asyncio.Lock()
        self._mark_timer: asyncio.TimerHandle | None = None
        self._mark_tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[tuple[str, str]] = set()
        # Events this worker did not accept itself: taken over (claimed) before they run.
        self._to_claim: set[tuple[str, str]] = set()
        self._engine = engine
        self._inbox = inbox
        self._metrics = metrics
        self._channels: dict[str, Channel] = {}
        self._queues: dict[tuple[str, str], deque[InboundEvent]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        # Submitters waiting for their event's reply (an agent's Slack request): handed it directly.
        self._waiting: dict[tuple[str, str], asyncio.Future[Reply]] = {}

    def register(self, channel: Channel) -> None:
        self._channels[channel.name] = _Counted(channel, self._metrics)

    def channel(self, name: str) -> Channel | None:
        return self._channels.get(name)

    async def submit(self, event: InboundEvent) -> bool:
        """Store the event durably, then queue it; False for a redelivery already stored.

        Returning means the event is safe to acknowledge to the platform.
        """
        if not await self._inbox.accept(event):
            self._metrics.count("events_duplicate", event.channel)
            log.info("duplicate %s event %s ignored", event.channel, event.event_id)
            return False
        self._metrics.count("events_accepted", event.channel)
        self._enqueue(event)
        return True

    async def submit_and_wait(self, event: InboundEvent, *, timeout: float) -> Reply | None:
        """Store and queue the event, then wait up to `timeout` for its reply, handed to the caller
        instead of the channel; None for a redelivery, or when it takes longer (the channel's
        `deliver` then gets the reply as usual)."""
        ident = (event.channel, event.event_id)
        waiter: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = waiter
        try:
            if not await self.submit(event):
                return None
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            log.warning("%s event %s still running after %.1f s; the channel gets its reply", *ident, timeout)
            return None
        except _Failed:
            return None  # logged where it failed; retried with a back-off like any failed event
        finally:
            if self._waiting.get(ident) is waiter:
                del self._waiting[ident]

    async def replay_pending(self) -> int:
        """Queue events accepted before a crash or restart but never finished."""
        pending = await self._inbox.pending()
        for event in pending:
            self._enqueue(event, claim=True)
        if pending:
            log.info("replaying %d unfinished events", len(pending))
        return len(pending)

    async def retry_failed(self) -> int:
        """Queue again the events that failed and whose back-off has passed (e.g. a platform was down)."""
        due = [
            event
            for event in await self._inbox.due_for_retry(now=self._clock())
            if (event.channel, event.event_id) not in self._in_flight
        ]
        for event in due:
            self._enqueue(event, claim=True)
        if due:
            log.info("retrying %d events that failed earlier", len(due))
        return len(due)

    def _enqueue(self, event: InboundEvent, *, claim: bool = False) -> None:
        self._in_flight.add((event.channel, event.event_id))
        if claim:
            self._to_claim.add((event.channel, event.event_id))
        key = (event.channel, event.chat_key)
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(event)
            return
        self._queues[key] = deque([event])
        self._idle.clear()
        task = asyncio.create_task(self._drain(key), name=f"chat {event.channel}")
        self._workers.add(task)
        task.add_done_callback(self._worker_done)

    def _worker_done(self, task: asyncio.Task[None]) -> None:
        self._workers.discard(task)
        if not self._workers:
            self._idle.set()

    async def _drain(self, key: tuple[str, str]) -> None:
        queue = self._queues[key]
        try:
            while queue:
                finished = await self._process(queue[0])
                event = queue.popleft()
                if not finished:
                    self._in_flight.discard((event.channel, event.event_id))
        finally:
            del self._queues[key]

    async def _process(self, event: InboundEvent) -> bool:
        """Run one event; True when it waits in the batch of events to mark done."""
        started = time.perf_counter()
        channel = self._channels.get(event.channel)
        ident = (event.channel, event.event_id)
        try:
            replayed = ident in self._to_claim
            if replayed:
                self._to_claim.discard(ident)
                if not await self._inbox.claim(event):
                    log.info("%s event %s is held by another worker", event.channel, event.event_id)
                    return False
            reply = await self._engine.handle(event)
            waiter = self._waiting.pop(ident, None)
            once = not _repeatable(reply)
            sent = False
            if waiter is not None and not waiter.done():
                waiter.set_result(reply)
            elif once and replayed and await self._inbox.delivered(event):
                # Sent before the worker that had it died: again would show it twice.
                log.info("%s event %s: its reply went out before a restart; not sent again", *ident)
            elif channel is not None and event.kind is EventKind.TIMER:
                # Written unprompted: the channel's own rules for that apply (WhatsApp's window).
                await channel.send(event.chat_key, list(reply.messages))
                sent = True
            elif channel is not None:
                await channel.deliver(event, reply)
                sent = True
            else:
                log.warning("no adapter for channel %s; reply dropped", event.channel)
            if once and sent:
                # A new message has no idempotency key on the platforms. Noted at once (not with the
                # batch), a crash between sending and noting is a round trip wide, not a batch's wait.
                await self._inbox.mark_delivered(event)
            self._metrics.count("events_processed", event.channel)
            if self._batch_seconds is None:
                await self._engine.flush()
                await self._inbox.mark_done(event)
                return False
            self._finished.append(event)
            if self._mark_timer is None:
                self._mark_timer = asyncio.get_running_loop().call_later(
                    self._batch_seconds, self._on_mark_timer
                )
            return True
        except asyncio.CancelledError:
            raise
        except Exception:
            # The event stays pending in the inbox and is replayed at the next start.
            self._metrics.count("events_failed", event.channel)
            waiter = self._waiting.pop(ident, None)
            if waiter is not None and not waiter.done():
                waiter.set_exception(_Failed())
            log.exception("processing %s event %s failed", event.channel, event.event_id)
            try:
                await self._inbox.mark_failed(event, reason="exception", at=self._clock())
            except Exception:
                log.exception("could not record the failure of event %s", event.event_id)
            return False
        finally:
            self._metrics.observe_processing(time.perf_counter() - started)

    def _on_mark_timer(self) -> None:
        self._mark_timer = None
        task = asyncio.create_task(self._mark_logged(), name="inbox done")
        self._mark_tasks.add(task)
        task.add_done_callback(self._mark_tasks.discard)

    async def _mark_logged(self) -> None:
        try:
            await self.mark_finished()
        except Exception:
            # Kept for the next try; the events stay in flight here meanwhile (never replayed here).
            log.exception("marking finished events done failed; will retry")
            if self._finished and self._mark_timer is None and self._batch_seconds is not None:
                self._mark_timer = asyncio.get_running_loop().call_later(
                    self._batch_seconds, self._on_mark_timer
                )

    async def mark_finished(self) -> None:
        """Mark the events finished so far done, once the engine has applied their effects.

        Before that, an inbox entry stays pending: a worker that dies first has the event replayed,
        which applies the effects its commit carries (the reply is the stored one).
        """
        async with self._marking:
            batch, self._finished = self._finished, []
            if not batch:
                return
            try:
                await self._engine.flush()
                await self._inbox.mark_done_many(batch)
            except BaseException:
                self._finished = batch + self._finished
                raise
            for event in batch:
                self._in_flight.discard((event.channel, event.event_id))

    async def wait_idle(self) -> None:
        """Until every queued event is processed, its effects applied and its inbox entry done."""
        await self._idle.wait()
        await self.mark_finished()

    async def close(self, *, timeout: float = 10.0) -> None:
        """Let queued events finish; cancel what is still running after `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            for task in list(self._workers):
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        await asyncio.gather(*self._mark_tasks, return_exceptions=True)
        try:
            await self.mark_finished()
            await self._engine.close()
        except Exception:
            # Left pending: the next start replays those events and applies what they committed.
            log.exception("could not finish the last events' writes at shutdown")


def _repeatable(reply: Reply) -> bool:
    """Sending this reply again changes nothing the customer sees: it only edits earlier messages."""
    return all(message.edit_ref is not None for message in reply.messages)


class _Failed(Exception):
    """The event a submitter waits for failed (it stays pending and is retried)."""


class _Counted:
    """A channel adapter whose outgoing messages are counted per channel."""

    def __init__(self, inner: Channel, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self.name = inner.name

    async def deliver(self, event: InboundEvent, reply: Reply) -> None:
        await self._inner.deliver(event, reply)
        self._metrics.count("messages_out", self.name, len(reply.messages))

    async def send(self, chat_key: str, messages: list[Outbound]) -> None:
        await self._inner.send(chat_key, messages)
        self._metrics.count("messages_out", self.name, len(messages))

    async def fetch(self, ref: str) -> bytes | None:
        return await self._inner.fetch(ref)
