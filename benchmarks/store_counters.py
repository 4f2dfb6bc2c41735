"""Store round trips counted by the embedded server itself, for the load benchmarks of every channel.

The embedded SecantusDB server answers MongoDB's ``top`` command with per-namespace command counts;
heartbeats and these reads of the counters do not appear there, so the difference of two snapshots is
what the bot asked of its database in between. ``benchmarks.peer_load`` (Telegram) and
``benchmarks.survey_load`` (WhatsApp, the web chat) read them before and after the load, then for a
probe customer alone, one action at a time; the lines they print come from here so that the figures of
all channels read alike.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient

SETTLE_SECONDS = 0.25  # counters unchanged this long: the action is finished in the store
IDLE_SECONDS = 3.0
NOT_ANSWERS = frozenset({"start", "consent"})  # the survey actions that are not an answer
SECTIONS = ("queries", "getmore", "insert", "update", "remove", "commands")

Line = tuple[str, str]  # (label, figures)


class StoreCounters:
    """Per-namespace command counts of the embedded server (its `top` command) for one database."""

    def __init__(self, uri: str, database: str) -> None:
        self.database = database
        # SecantusDB closes a connection idle for 300 s, which a slow load outlasts: drop it first.
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, maxIdleTimeMS=60_000)

    async def snapshot(self) -> Counter[str]:
        """`<collection> <section>` -> commands so far, for the benchmark's database."""
        reply = await self.client.admin.command("top")
        counts: Counter[str] = Counter()
        for namespace, sections in reply.get("totals", {}).items():
            if not isinstance(sections, dict) or not namespace.startswith(self.database + "."):
                continue
            collection = namespace.split(".", 1)[1]
            for section in SECTIONS:
                count = int(sections.get(section, {}).get("count", 0))
                if count:
                    counts[f"{collection} {section}"] = count
        return counts

    async def settled(self) -> Counter[str]:
        """A snapshot once nothing has changed for SETTLE_SECONDS (the bot finished its writes)."""
        last = await self.snapshot()
        while True:
            await asyncio.sleep(SETTLE_SECONDS)
            now = await self.snapshot()
            if now == last:
                return now
            last = now

    async def close(self) -> None:
        await self.client.close()


def difference(after: Counter[str], before: Counter[str]) -> Counter[str]:
    """The commands between two snapshots (only positive counts: a snapshot never goes down)."""
    delta = after.copy()
    delta.subtract(before)
    return +delta


def per_second(delta: Counter[str], seconds: float) -> str:
    parts = ", ".join(f"{k} {v / seconds:.2f}" for k, v in sorted(delta.items(), key=lambda kv: -kv[1]))
    return f"{delta.total() / seconds:.2f} ({parts})"


def describe(delta: Counter[str], per: int) -> str:
    """`delta` divided by `per` (e.g. actions): the total, then each collection and section, biggest first."""
    parts = ", ".join(f"{k} {v / per:.2f}" for k, v in sorted(delta.items(), key=lambda kv: -kv[1]))
    return f"{delta.total() / per:.2f} ({parts})"


async def idle(counters: StoreCounters) -> Line:
    """What the idle bot asks of the store by itself (the job runner's poll, the retry loop), per second:
    it lands in every window a probe's action is counted in."""
    start = await counters.settled()
    began = time.monotonic()
    await asyncio.sleep(IDLE_SECONDS)
    end = await counters.snapshot()
    seconds = time.monotonic() - began
    return f"idle bot over {seconds:.1f} s, per second", per_second(difference(end, start), seconds)


def per_action(
    kinds: Sequence[str], settled: Sequence[Counter[str]], at_reply: Sequence[Counter[str]] | None
) -> list[Line]:
    """A probe customer's round trips per kind of action, then per answer.

    `settled[i]` is the settled snapshot before action `kinds[i]` (and `settled[i + 1]` after it);
    `at_reply[i]`, if the channel could take it, the snapshot while the bot's first message of that
    action's reply waited, which splits an answer's round trips into the reply path and after it.
    """
    by_kind: dict[str, list[Counter[str]]] = {}
    reply_path: dict[str, list[Counter[str]]] = {}
    if at_reply is None:
        for kind, before, after in zip(kinds, settled, settled[1:], strict=False):
            by_kind.setdefault(kind, []).append(difference(after, before))
    else:
        for kind, before, replied, after in zip(kinds, settled, at_reply, settled[1:], strict=False):
            by_kind.setdefault(kind, []).append(difference(after, before))
            reply_path.setdefault(kind, []).append(difference(replied, before))
    lines: list[Line] = []
    for kind, deltas in by_kind.items():
        merged: Counter[str] = Counter()
        for delta in deltas:
            merged.update(delta)
        each = "/".join(str(d.total()) for d in deltas)
        lines.append((f"{kind} (x{len(deltas)}: {each})", f"mean {describe(merged, len(deltas))}"))
    answers = [kind for kind in by_kind if kind not in NOT_ANSWERS]
    total = sum((sum(by_kind[k], Counter()) for k in answers), Counter())
    count = sum(len(by_kind[k]) for k in answers)
    label = f"store round trips per answer (steady state, {count} answers)"
    if at_reply is None:
        lines.append((label, f"all of it (not split at the reply) {describe(total, max(1, count))}"))
        return lines
    waited = sum((sum(reply_path[k], Counter()) for k in answers), Counter())
    background = difference(total, waited)
    lines.append(
        (
            label,
            f"reply path (before the bot's first message call) {describe(waited, max(1, count))}; "
            f"after it {describe(background, max(1, count))}",
        )
    )
    return lines
