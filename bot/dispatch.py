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
    ) -> None:
        self._clock = clock
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
                await self._process(queue[0])
                event = queue.popleft()
                self._in_flight.discard((event.channel, event.event_id))
        finally:
            del self._queues[key]

    async def _process(self, event: InboundEvent) -> None:
        started = time.perf_counter()
        channel = self._channels.get(event.channel)
        try:
            ident = (event.channel, event.event_id)
            if ident in self._to_claim:
                self._to_claim.discard(ident)
                if not await self._inbox.claim(event):
                    log.info("%s event %s is held by another worker", event.channel, event.event_id)
                    return
            reply = await self._engine.handle(event)
            if channel is not None and event.kind is EventKind.TIMER:
                # Written unprompted: the channel's own rules for that apply (WhatsApp's window).
                await channel.send(event.chat_key, list(reply.messages))
            elif channel is not None:
                await channel.deliver(event, reply)
            else:
                log.warning("no adapter for channel %s; reply dropped", event.channel)
            await self._inbox.mark_done(event)
            self._metrics.count("events_processed", event.channel)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The event stays pending in the inbox and is replayed at the next start.
            self._metrics.count("events_failed", event.channel)
            log.exception("processing %s event %s failed", event.channel, event.event_id)
            try:
                await self._inbox.mark_failed(event, reason="exception", at=self._clock())
            except Exception:
                log.exception("could not record the failure of event %s", event.event_id)
        finally:
            self._metrics.observe_processing(time.perf_counter() - started)

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def close(self, *, timeout: float = 10.0) -> None:
        """Let queued events finish; cancel what is still running after `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                await self.wait_idle()
        except TimeoutError:
            for task in list(self._workers):
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)


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
