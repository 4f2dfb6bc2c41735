"""SIGKILL the bot at random moments while scripted customers answer surveys and file complaints.

    python -m benchmarks.crash_recovery [--customers 200] [--kills 6] [--complaint-share 0.25] [--seed 7]
                                        [--db-outage SECONDS]

The bot runs as a real `feedback-bot run` process in Telegram webhook mode against the fake Bot API
(tests/fakes/telegram_api.py) and a separate embedded MongoDB that outlives it. Customers post
updates as Telegram does: an update the bot did not acknowledge with 200 is posted again, unchanged.
A killer sends SIGKILL every few seconds and starts a new process. At the end every acknowledged
update must be stored exactly once and processed, every customer has exactly one complete response
with exactly their answers, every complaint exactly one ticket; the script prints what it checked
and exits 1 on any failure. With `--db-outage`, MongoDB is also stopped for that long mid-run (then
started again on the same files and port): webhooks answer an error meanwhile, Telegram-style
retries bring every update in once it is back.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession
from pymongo import AsyncMongoClient

from storage.embedded import EmbeddedMongo
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
    port: int
    acknowledged: dict[int, int] = field(default_factory=dict)  # update_id → chat
    stuck: list[str] = field(default_factory=list)
    redeliveries: int = 0


async def deliver(world: World, chat: int, update: JSONDict) -> None:
    """Post until the bot answers 200, as Telegram retries an unacknowledged update."""
    url = f"http://127.0.0.1:{world.port}/webhooks/telegram"
    first = True
    while True:
        try:
            status = await world.fake.post_webhook(url, update, secret=SECRET)
        except (ClientError, OSError, TimeoutError):
            status = 0
        if status == 200:
            world.acknowledged[int(update["update_id"])] = chat
            return
        world.redeliveries += 0 if first else 1
        first = False
        await asyncio.sleep(0.3)


async def until(world: World, chat: int, found: Any, what: str, timeout: float = 90.0) -> SentMessage:
    """The first of the bot's messages (after edits) for which `found` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(world.fake.chat(chat)):
            if found(message):
                return message
        await asyncio.sleep(0.05)
    world.stuck.append(f"chat {chat}: no {what}")
    raise TimeoutError(what)


def payloads(message: SentMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row]


async def press(world: World, chat: int, payload: str, *, then: Any, what: str) -> SentMessage:
    source = await until(world, chat, lambda m: payload in payloads(m), f"button {payload}")
    await deliver(
        world, chat, world.fake.callback_update(chat_id=chat, message_id=source.message_id, data=payload)
    )
    return await until(world, chat, then, what)


async def say(world: World, chat: int, text: str, *, then: Any, what: str) -> SentMessage:
    await deliver(world, chat, world.fake.text_update(chat_id=chat, text=text))
    return await until(world, chat, then, what)


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
        described = "exp:refund"
        await say(
            world, chat, "Blue kettle", then=lambda m: m.message_id > 0 and "kettle" not in m.text, what="x"
        )
        await say(
            world, chat, "The box was crushed.", then=lambda m: described in payloads(m), what="expectations"
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
        str(BIN), "run", "--no-console", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("ab")
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


async def main(args: argparse.Namespace) -> int:
    # The fake Bot API sees requests cut off by SIGKILL mid-body: expected here, not worth a traceback.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        mongo = await EmbeddedMongo.start(data_dir=Path(folder))
        fake = FakeTelegram()
        await fake.start()
        port = 18000 + rng.randrange(2000)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "PUBLIC_URL": "http://127.0.0.1:1",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "MONGODB_URI": mongo.uri,
            "MONGODB_DATABASE": DATABASE,
            "FEEDBACK_BOT_DATA_DIR": folder,
            "FEEDBACK_BOT_PORT": str(port),
            "TELEGRAM_CHAT_RATE": "100",
            "TELEGRAM_CHAT_BURST": "100",
            "TELEGRAM_GLOBAL_RATE": "1000",
            "LOG_FORMAT": "json",
        }
        log = Path(folder) / "bot.log"
        world = World(fake, port)
        bot = await start_bot(env, log, port)
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
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            kills += 1
            bot = await start_bot(env, log, port)
        await crowd
        if outage is not None:
            mongo = await outage
        elapsed = time.monotonic() - started
        await asyncio.sleep(2)  # let the last replies' bookkeeping finish
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
        failures = await verify(mongo.uri, world, chats, complaining)
        await fake.stop()
        await mongo.stop()
    print(f"customers {args.customers}, complaints {len(complaining)}, SIGKILLs {kills}, {elapsed:.0f} s")
    print(
        f"updates acknowledged {len(world.acknowledged)}, posted again after no answer {world.redeliveries}"
    )
    for line in failures or ["every check passed"]:
        print(line)
    return 1 if failures else 0


async def verify(uri: str, world: World, chats: list[int], complaining: set[int]) -> list[str]:
    failures = list(world.stuck)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    db = client[DATABASE]
    inbox = {doc["event_id"]: doc async for doc in db["inbox"].find({"channel": "telegram"})}
    unprocessed = [uid for uid in world.acknowledged if inbox.get(str(uid), {}).get("status") != "done"]
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
    await client.close()
    return failures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--complaint-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db-outage", type=float, default=0.0, help="stop MongoDB this many seconds mid-run")
    sys.exit(asyncio.run(main(parser.parse_args())))
