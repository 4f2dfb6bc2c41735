"""`feedback-bot invite --csv`: a batch of invitations, resumable, never doubled, with a progress bar."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.invite_batch import invite_csv
from core.questionnaire import BUILTIN_DIR, load_file
from storage.store import Store
from storage.types import Database
from tests.bot.test_cli_run import _run

ROWS = """customer_ref,order_ref,questionnaire,language,segment,country,timezone
c1,A1,,de,vip,DE,Europe/Berlin
c2,A2,default,,,FR,
c3,A3,nope,,,,
c4,,default,,,,
c1,A1,,,,,
c5,A5,,,retail,germany,
c6,A6,,,,,Mars/Olympus
"""


def link(payload: str) -> str:
    return f"https://t.me/shop_bot?start={payload}"


async def run_batch(store: Store, text: str) -> tuple[dict[str, int], list[dict[str, str]], str]:
    out, progress = io.StringIO(), io.StringIO()
    counts = await invite_csv(
        store, io.StringIO(text), out, progress, default_questionnaire="default", deep_link=link
    )
    return counts, list(csv.DictReader(io.StringIO(out.getvalue()))), progress.getvalue()


async def test_each_row_once_with_its_result(db: Database) -> None:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    counts, rows, progress = await run_batch(store, ROWS)
    assert counts == {"invited": 2, "already invited": 1, "sending in chat": 0, "refused": 4}
    assert [row["status"] for row in rows] == [
        "invited",
        "invited",
        "refused",
        "refused",
        "already invited",
        "refused",
        "refused",
    ]
    assert rows[6]["problem"] == "timezone: Value error, unknown time zone 'Mars/Olympus'"
    assert rows[0]["deep_link"].startswith("https://t.me/shop_bot?start=i-")
    assert rows[4]["invitation_id"] == rows[0]["invitation_id"]
    assert rows[2]["problem"] == "no published questionnaire 'nope'"
    assert "order_ref" in rows[3]["problem"] and "country" in rows[5]["problem"]
    assert progress.rstrip().endswith("7/7") and "[" in progress
    stored = await db["invitations"].find_one({"order_ref": "A1"})
    assert stored is not None and stored["language"] == "de" and stored["segment"] == "vip"
    assert stored["timezone"] == "Europe/Berlin"  # quiet hours are kept in the customer's zone


async def test_an_interrupted_batch_is_resumed_by_running_it_again(db: Database) -> None:
    store = await Store.open(db)
    await store.questionnaires.install(load_file(BUILTIN_DIR / "default.yaml"), source="test")
    lines = ["customer_ref,order_ref"] + [f"c{n},B{n}" for n in range(40)]
    # The first run dies after 15 rows (here: it was only given them); the rerun gets the whole file.
    first, _, _ = await run_batch(store, "\n".join(lines[:16]) + "\n")
    second, rows, _ = await run_batch(store, "\n".join(lines) + "\n")
    assert first["invited"] == 15
    assert second == {"invited": 25, "already invited": 15, "sending in chat": 0, "refused": 0}
    assert await db["invitations"].count_documents({}) == 40
    assert len({row["invitation_id"] for row in rows}) == 40


def test_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("customer_ref,order_ref\nc1,Z1\nc2,Z2\n", encoding="utf-8")
    done = _run(["invite", "--csv", str(source)], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    results = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["status"] for row in results] == ["invited", "invited"]
    # No TELEGRAM_BOT_USERNAME: no link (a warning says so), the start payload in its own column.
    assert results[0]["deep_link"] == "" and results[0]["start_payload"].startswith("i-")
    assert "invited: 2" in done.stderr and "2/2" in done.stderr
    again = _run(["invite", "--csv", str(source)], tmp_path)
    assert [row["status"] for row in csv.DictReader(io.StringIO(again.stdout))] == ["already invited"] * 2
