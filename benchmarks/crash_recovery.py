"""SIGKILL the bot at random moments while scripted customers answer surveys and file complaints.

    python -m benchmarks.crash_recovery [--workers 1] [--customers 200] [--kills 6] [--complaint-share 0.25]
                                        [--seed 7] [--db-outage SECONDS]

The bot runs as `--workers` real `feedback-bot run` processes in Telegram webhook mode, each on its
own port, against the fake Bot API (tests/fakes/telegram_api.py) and one separate embedded MongoDB
that outlives them. Customers post updates as Telegram does through a load balancer: every post (a
first one or a retry) goes to a worker picked at random, and an update no worker acknowledged with
200 is posted again, unchanged. A killer sends SIGKILL every few seconds to a worker picked at
random and starts it again on its port. A worker killed holding inbox events leaves them leased
(storage/inbox.LEASE, 30 s): the restarted worker replays them at once (their owner's process is
gone), the others' retry loops take them when the lease runs out; the waits below allow for both.
At the end every acknowledged update must be stored exactly once and processed, every customer has
exactly one complete response with exactly their answers, every complaint exactly one ticket, and
no survey question reached a customer twice (sent, or edited into a message, more than once); the
script prints what it checked and exits 1 on any failure. With `--db-outage`, MongoDB is also
stopped for that long mid-run (then started again on the same files and port): webhooks answer an
error meanwhile, Telegram-style retries bring every update in once it is back. When a check fails,
the workers' logs and a trace of each failed chat (its posts, the fake's calls, its inbox entries and
stored state) are kept in a folder the script prints.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession
from pymongo import AsyncMongoClient

from storage.embedded import EmbeddedMongo
from storage.inbox import hashed
from tests.default_questionnaire import RATED
from tests.fakes.telegram_api import FakeTelegram, JSONDict, SentMessage

SECRET = "crash-test-secret"
DATABASE = "crash"
FIRST_CHAT = 900_001

COMMENT = "Fine, thanks"
BIN = Path(sys.executable).parent / "feedback-bot"


@dataclass
class World:
    fake: FakeTelegram
    ports: list[int]
    balancer: random.Random
    acknowledged: dict[int, int] = field(default_factory=dict)  # update_id → chat
    stuck: list[str] = field(default_factory=list)
    stuck_chats: list[int] = field(default_factory=list)
    redeliveries: int = 0
    posts: list[tuple[float, int, int, int, int]] = field(default_factory=list)
    """(time, chat, update id, port, status) of every post, for the trace of a stuck chat."""


async def deliver(world: World, chat: int, update: JSONDict) -> None:
    """Post until the bot answers 200, as Telegram retries an unacknowledged update."""
    first = True
    while True:
        url = f"http://127.0.0.1:{world.balancer.choice(world.ports)}/webhooks/telegram"
        try:
            status = await world.fake.post_webhook(url, update, secret=SECRET)
        except (ClientError, OSError, TimeoutError):
            status = 0
        port = int(url.split(":")[2].split("/")[0])
        world.posts.append((time.monotonic(), chat, int(update["update_id"]), port, status))
        if status == 200:
            world.acknowledged[int(update["update_id"])] = chat
            return
        world.redeliveries += 0 if first else 1
        first = False
        await asyncio.sleep(0.3)


Seen = dict[int, str]

# An update a killed worker held waits up to a lease (30 s) plus a retry round (10 s) for another
# worker, besides the queue of work it then finds.
REPLY_TIMEOUT = 120.0


async def until(
    world: World,
    chat: int,
    found: Any,
    what: str,
    timeout: float = REPLY_TIMEOUT,
    *,
    since: Seen | None = None,
) -> SentMessage:
    """The first of the bot's messages (after edits) for which `found` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(world.fake.chat(chat)):
            fresh = since is None or since.get(message.message_id) != message.text
            if fresh and found(message):
                return message
        await asyncio.sleep(0.05)
    sent = world.fake.chat(chat)
    last = f"{sent[-1].text[:60]!r} {payloads(sent[-1])}" if sent else "nothing"
    world.stuck.append(f"chat {chat}: no {what}; the last message: {last}")
    world.stuck_chats.append(chat)
    raise TimeoutError(what)


def seen(world: World, chat: int) -> Seen:
    """The chat as it is before an action: its reply is a message sent, or whose text was edited,
    after this. Not one whose buttons were taken off: that tidying may come later (in spare capacity,
    or replayed after a crash), and an old prompt that mentions "product" is not the product prompt
    (a customer who took it for one typed on too early)."""
    return {m.message_id: m.text for m in world.fake.chat(chat)}


def payloads(message: SentMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row]


async def press(world: World, chat: int, payload: str, *, then: Any, what: str) -> SentMessage:
    source = await until(world, chat, lambda m: payload in payloads(m), f"button {payload}")
    before = seen(world, chat)
    await deliver(
        world, chat, world.fake.callback_update(chat_id=chat, message_id=source.message_id, data=payload)
    )
    return await until(world, chat, then, what, since=before)


async def say(world: World, chat: int, text: str, *, then: Any, what: str) -> SentMessage:
    """Send `text` and wait for the bot's answer to it (a message sent or edited since), as a
    customer reads the reply before typing on: with several workers, two updates of one chat in
    flight at once may be processed in either order."""
    before = seen(world, chat)
    await deliver(world, chat, world.fake.text_update(chat_id=chat, text=text))
    return await until(world, chat, then, what, since=before)


def asks(qid: str) -> Any:
    return lambda m: any(p.startswith(f"a:{qid}:") or p == f"skip:{qid}" for p in payloads(m))


async def customer(world: World, chat: int, complains: bool) -> None:
    try:
        await say(world, chat, "/start", then=lambda m: "consent:yes" in payloads(m), what="consent request")
        await press(world, chat, "consent:yes", then=asks(RATED[0]), what="first question")
        for qid, following in zip(RATED, (*RATED[1:], "recommend"), strict=True):
            await press(world, chat, f"a:{qid}:4", then=asks(following), what=f"question {following}")
        await press(world, chat, "a:recommend:9", then=asks("comments"), what="comment question")
        await say(world, chat, COMMENT, then=lambda m: "Thank you" in m.text, what="thanks")
        if not complains:
            return
        await say(world, chat, "/complain", then=lambda m: "cc:yes" in payloads(m), what="complaint consent")
        await press(world, chat, "cc:yes", then=lambda m: "cs:no" in payloads(m), what="sensitive consent")
        await press(world, chat, "cs:no", then=lambda m: "cat:logistics" in payloads(m), what="categories")
        await press(
            world, chat, "cat:logistics", then=lambda m: "order" in m.text.lower(), what="order prompt"
        )
        await say(
            world, chat, f"A{chat}-77", then=lambda m: "product" in m.text.lower(), what="product prompt"
        )
        await say(
            world, chat, "Blue kettle", then=lambda m: "describe" in m.text.lower(), what="description prompt"
        )
        await say(
            world,
            chat,
            "The box was crushed.",
            then=lambda m: "exp:refund" in payloads(m),
            what="expectations",
        )
        await press(world, chat, "exp:refund", then=lambda m: "ct:any" in payloads(m), what="contact times")
        await press(world, chat, "ct:any", then=lambda m: "confirm:submit" in payloads(m), what="summary")
        await press(
            world,
            chat,
            "confirm:submit",
            then=lambda m: "C-" in m.text and not payloads(m),
            what="ticket number",
        )
    except TimeoutError:
        return


async def start_bot(env: dict[str, str], log: Path, port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        "run",
        "--no-console",
        env={**env, "FEEDBACK_BOT_PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    async with ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except (ClientError, OSError):
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the bot did not start; see {log}")


async def db_outage(mongo: EmbeddedMongo, folder: Path, seconds: float, rng: random.Random) -> EmbeddedMongo:
    """Stop MongoDB for `seconds`, then start it again on the same files and port."""
    await asyncio.sleep(rng.uniform(3.0, 8.0))
    port = int(mongo.uri.rsplit(":", 1)[1].split("/")[0])
    await mongo.stop()
    print(f"MongoDB stopped for {seconds:.0f} s", flush=True)
    await asyncio.sleep(seconds)
    return await EmbeddedMongo.start(data_dir=folder, port=port)


def free_ports(count: int) -> list[int]:
    """Ports the system has free now (kept bound until all are chosen, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for one in sockets:
            one.bind(("127.0.0.1", 0))
        return [one.getsockname()[1] for one in sockets]
    finally:
        for one in sockets:
            one.close()


async def main(args: argparse.Namespace) -> int:
    # The fake Bot API sees requests cut off by SIGKILL mid-body: expected here, not worth a traceback.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        mongo = await EmbeddedMongo.start(data_dir=Path(folder))
        fake = FakeTelegram()
        await fake.start()
        rng.randrange(2000)  # the ports were drawn from the seed once: the rest of the run stays as it was
        # Free ports, not ones drawn from the seed: two runs at once (other checkouts) must not share them.
        ports = free_ports(args.workers)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "PUBLIC_URL": "http://127.0.0.1:1",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "MONGODB_URI": mongo.uri,
            "MONGODB_DATABASE": DATABASE,
            "FEEDBACK_BOT_DATA_DIR": folder,
            "TELEGRAM_CHAT_RATE": "100",
            "TELEGRAM_CHAT_BURST": "100",
            "TELEGRAM_GLOBAL_RATE": "1000",
            "LOG_FORMAT": "json",
        }
        logs = [Path(folder) / f"bot-{n}.log" for n in range(args.workers)]
        world = World(fake, ports, random.Random(args.seed + 1))
        # One after the other: the first creates the data folder's key files the others then read.
        bots = [await start_bot(env, log, port) for log, port in zip(logs, ports, strict=True)]
        complaining = {FIRST_CHAT + n for n in range(args.customers) if rng.random() < args.complaint_share}
        chats = [FIRST_CHAT + n for n in range(args.customers)]
        started = time.monotonic()
        crowd = asyncio.gather(*(customer(world, chat, chat in complaining) for chat in chats))
        outage = (
            asyncio.create_task(db_outage(mongo, Path(folder), args.db_outage, rng))
            if args.db_outage
            else None
        )
        kills = 0
        while kills < args.kills and not crowd.done():
            await asyncio.sleep(rng.uniform(2.0, 6.0))
            victim = rng.randrange(args.workers)
            bots[victim].send_signal(signal.SIGKILL)
            await bots[victim].wait()
            kills += 1
            print(f"SIGKILL worker {victim} at {time.monotonic() - started:.0f} s", flush=True)
            bots[victim] = await start_bot(env, logs[victim], ports[victim])
        await crowd
        if outage is not None:
            mongo = await outage
        elapsed = time.monotonic() - started
        await asyncio.sleep(2)  # let the last replies' bookkeeping finish
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
        for bot in bots:
            await bot.wait()
        failures = await verify(mongo.uri, world, chats, complaining)
        if failures:
            kept = Path(tempfile.mkdtemp(prefix="crash-recovery-logs-"))
            for log in logs:
                shutil.copy(log, kept / log.name)
            world.stuck_chats = sorted(
                {int(m) for line in failures for m in re.findall(r"chat (\d+):", line)}
            )
            (kept / "failed-chats.txt").write_text(await trace_stuck(mongo.uri, world))
            failures.append(f"the workers' logs (JSON, no message text) and stuck chats' traces: {kept}")
        await fake.stop()
        await mongo.stop()
    print(
        f"workers {args.workers}, customers {args.customers}, complaints {len(complaining)}, "
        f"SIGKILLs {kills}, {elapsed:.0f} s"
    )
    print(
        f"updates acknowledged {len(world.acknowledged)}, posted again after no answer {world.redeliveries}"
    )
    for line in failures or ["every check passed"]:
        print(line)
    return 1 if failures else 0


def questions_shown_twice(fake: FakeTelegram, chats: list[int]) -> list[str]:
    """Survey questions that arrived in a chat more than once: each successful sendMessage or
    editMessageText whose keyboard asks question q shows q once more (an edit that changes nothing
    is refused by Telegram, 400, and shows nothing)."""
    shown: dict[tuple[int, str], int] = {}
    for call in fake.calls:
        if call.method.lower() not in {"sendmessage", "editmessagetext"} or call.status != 200:
            continue
        markup = call.params.get("reply_markup")
        keyboard = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        asked = {
            data.split(":")[1]
            for row in keyboard
            for button in row
            if isinstance(data := button.get("callback_data"), str) and data.startswith(("a:", "skip:"))
        }
        for qid in asked:
            key = (int(call.params.get("chat_id", 0)), qid)
            shown[key] = shown.get(key, 0) + 1
    wanted = set(chats)
    return [
        f"chat {chat}: question {qid} shown {times} times"
        for (chat, qid), times in sorted(shown.items())
        if times > 1 and chat in wanted
    ]


async def trace_stuck(uri: str, world: World) -> str:
    """What a failed chat went through: posts, the fake's calls, inbox entries, the stored state."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    db = client[DATABASE]
    lines: list[str] = []
    kept = ("status", "owner", "retry_at", "attempts", "last_error", "received_at", "done_at", "delivered_at")
    for chat in world.stuck_chats:
        lines.append(f"== chat {chat}")
        lines += [
            f"post {at:.3f} update {uid} port {port} -> {status}"
            for at, posted, uid, port, status in world.posts
            if posted == chat
        ]
        for call in world.fake.calls:
            if str(call.params.get("chat_id")) == str(chat):
                text = str(call.params.get("text", ""))[:40]
                message = call.params.get("message_id")
                lines.append(f"call {call.at:.3f} {call.method} {call.status} message={message} {text!r}")
        async for doc in db["inbox"].find({"chat_key": str(chat)}).sort("received_at", 1):
            event = doc.get("event") or {}
            fields = {key: doc.get(key) for key in kept}
            lines.append(f"inbox {event.get('event_id')} {event.get('kind')} {event.get('text')!r} {fields}")
        conversation = await db["conversations"].find_one({"chat_key": str(chat)}) or {}
        last = (conversation.get("last_reply") or {}).get("event_id")
        lines.append(
            f"conversation state={conversation.get('state')} version={conversation.get('version')} "
            f"recent={conversation.get('recent_events')} last reply={last}"
        )
    await client.close()
    return "\n".join(lines) + "\n"


async def verify(uri: str, world: World, chats: list[int], complaining: set[int]) -> list[str]:
    failures = list(world.stuck)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    db = client[DATABASE]
    inbox = {doc["event_id"]: doc async for doc in db["inbox"].find({"channel": "telegram"})}
    # The inbox keeps a hash of the platform's event id, never the id itself.
    unprocessed = [
        uid for uid in world.acknowledged if inbox.get(hashed(str(uid)), {}).get("status") != "done"
    ]
    print(f"checked: {len(world.acknowledged)} acknowledged updates stored and processed")
    if unprocessed:
        failures.append(f"{len(unprocessed)} acknowledged updates not stored or not processed")
    identities = {doc["_id"]: doc["customer_id"] async for doc in db["identities"].find({})}
    by_customer: dict[str, list[dict[str, Any]]] = {}
    async for doc in db["responses"].find({}):
        by_customer.setdefault(doc["customer_id"], []).append(doc)
    expected = {**dict.fromkeys(RATED, 4), "recommend": 9, "comments": COMMENT}
    for chat in chats:
        customer = identities.get(f"telegram:{chat}")
        responses = by_customer.get(str(customer), [])
        answers = [
            {q: a["value"] for q, a in r["answers"].items() if not a.get("skipped")} for r in responses
        ]
        if len(responses) != 1 or responses[0]["status"] != "complete" or answers[0] != expected:
            failures.append(f"chat {chat}: {len(responses)} responses, {[r['status'] for r in responses]}")
    print(f"checked: {len(chats)} customers have exactly one complete response with exactly their answers")
    tickets = [doc async for doc in db["tickets"].find({}, {"order_ref": 1})]
    orders = sorted(str(t.get("order_ref")) for t in tickets)
    if orders != sorted(f"A{chat}-77" for chat in complaining):
        failures.append(f"tickets: {len(tickets)} for {len(complaining)} complaints")
    print(f"checked: {len(complaining)} complaints have exactly one ticket each")
    twice = questions_shown_twice(world.fake, chats)
    failures.extend(twice)
    print(f"checked: no survey question reached a customer twice ({len(twice)} did)")
    await client.close()
    return failures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1, help="bot processes sharing one MongoDB")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--complaint-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db-outage", type=float, default=0.0, help="stop MongoDB this many seconds mid-run")
    sys.exit(asyncio.run(main(parser.parse_args())))
