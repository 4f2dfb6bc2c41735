"""Errors a new operator meets in the first hour: one line on stderr, a non-zero exit, nothing changed.

Each test runs the installed `feedback-bot` command, as an operator would.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.data_lock import LOCK_NAME
from tests.bot.cli_support import one_line, run, running_bot, stored

PASSWORD = "hunter2-secret"


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The test's commands take well under this; a job due sooner (the rollups run on the hour) could
# land between the two snapshots, so the first snapshot waits until it has run.
QUIET_AHEAD = timedelta(seconds=90)


def _settled(data_dir: Path) -> dict[str, list[str]]:
    """What is stored once the running bot has done every job due now or within `QUIET_AHEAD`;
    jobs planned for later wait, and change nothing while the test runs."""
    deadline = time.monotonic() + QUIET_AHEAD.total_seconds() + 60
    while time.monotonic() < deadline:
        snapshot = stored(data_dir)
        quiet_until = datetime.now(UTC) + QUIET_AHEAD
        if all(_done_or_later(json.loads(job), quiet_until) for job in snapshot.get("jobs", [])):
            return snapshot
        time.sleep(0.5)
    raise AssertionError("the running bot did not do its due jobs")


def _done_or_later(job: dict[str, Any], quiet_until: datetime) -> bool:
    # A job being run is due later too (its claim moves `due_at` to the lease's end): not settled.
    if job["status"] != "pending":  # done, failed or cancelled: it does not run again
        return True
    due = datetime.fromisoformat(job["due_at"]).replace(tzinfo=UTC)
    return job.get("lease_until") is None and due > quiet_until


def test_read_only_commands_use_the_running_bot_and_a_second_run_is_refused(tmp_path: Path) -> None:
    invited = run(["invite", "--csv", "-"], tmp_path, stdin="customer_ref,order_ref\nc1,R1\n")
    assert invited.returncode == 0, invited.stderr[-2000:]
    with running_bot(tmp_path, "--no-console") as (bot, _):
        before = _settled(tmp_path)
        exported = run(["export", "responses"], tmp_path)
        assert exported.returncode == 0 and exported.stderr == "", exported.stderr[-2000:]
        report = run(["report", "--format", "csv"], tmp_path)
        assert report.returncode == 0, report.stderr[-2000:]
        assert report.stdout.startswith("section,group,metric,value")

        second = run(["run", "--no-console"], tmp_path)
        assert second.returncode == 1
        assert one_line(second) == (
            f"feedback-bot: another feedback-bot run (pid {bot.pid}) is using {tmp_path}; "
            "stop it first or set FEEDBACK_BOT_DATA_DIR"
        )
        rebuild = run(["report", "--rebuild"], tmp_path)
        assert rebuild.returncode == 1 and f"(pid {bot.pid}) is using" in one_line(rebuild)
        assert bot.poll() is None, "the running bot is untouched"
        assert stored(tmp_path) == before
    assert bot.returncode == 0
    assert (tmp_path / LOCK_NAME).read_text() == "", "a stopped bot names nobody in the lock file"


def test_a_stale_lock_is_taken_over(tmp_path: Path) -> None:
    # A bot killed with SIGKILL leaves its lock file behind; the kernel has dropped its lock.
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 999_999_999, "command": "run", "uri": None}))
    exported = run(["export", "responses"], tmp_path)
    assert exported.returncode == 0 and exported.stderr == "", exported.stderr[-2000:]
    assert (tmp_path / LOCK_NAME).read_text() == ""


def test_a_malformed_uri_is_named_in_one_line_without_its_password(tmp_path: Path) -> None:
    result = run(["export", "responses"], tmp_path, MONGODB_URI="not-a-uri")
    assert result.returncode == 2
    assert one_line(result).startswith("feedback-bot: MONGODB_URI is not a valid MongoDB URI: ")
    bad_port = run(["report"], tmp_path, MONGODB_URI=f"mongodb://admin:{PASSWORD}@db.example:99999/")
    assert bad_port.returncode == 2
    line = one_line(bad_port)
    assert "MONGODB_URI" in line and "port" in line.lower() and PASSWORD not in line
    assert not (tmp_path / "mongo").exists(), "nothing was started or stored"


def test_an_unreachable_server_fails_fast_naming_host_and_port(tmp_path: Path) -> None:
    port = _closed_port()
    uri = f"mongodb://admin:{PASSWORD}@127.0.0.1:{port}/?authSource=admin"
    result = run(["run", "--no-console"], tmp_path, MONGODB_URI=uri)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"feedback-bot: cannot reach MongoDB at 127.0.0.1:{port} within 5 s")
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "mongo").exists()


def test_with_json_logs_the_fatal_error_is_one_json_line(tmp_path: Path) -> None:
    port = _closed_port()
    uri = f"mongodb://admin:{PASSWORD}@127.0.0.1:{port}/"
    result = run(["export", "responses"], tmp_path, MONGODB_URI=uri, LOG_FORMAT="json", LOG_LEVEL="INFO")
    assert result.returncode == 1
    entries = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    fatal = [entry for entry in entries if entry["level"] == "CRITICAL"]
    assert len(fatal) == 1 and f"cannot reach MongoDB at 127.0.0.1:{port}" in fatal[0]["message"]
    assert PASSWORD not in result.stderr
    bad = run(["export", "responses"], tmp_path, MONGODB_URI="not-a-uri", LOG_FORMAT="json")
    assert bad.returncode == 2 and json.loads(one_line(bad))["message"].startswith("MONGODB_URI is not")


def test_report_refuses_a_backwards_period_and_an_unknown_questionnaire(tmp_path: Path) -> None:
    backwards = run(["report", "--from", "2026-12-10", "--to", "2026-12-01"], tmp_path)
    assert backwards.returncode == 2
    assert one_line(backwards) == "feedback-bot: report: --from 2026-12-10 is after --to 2026-12-01"
    assert not (tmp_path / "mongo").exists(), "refused before any database was opened"

    invited = run(["invite", "--csv", "-"], tmp_path, stdin="customer_ref,order_ref\nc1,R1\n")
    assert invited.returncode == 0, invited.stderr[-2000:]
    before = stored(tmp_path)
    unknown = run(["report", "--questionnaire", "nosuch"], tmp_path)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert one_line(unknown) == "feedback-bot: report: no questionnaire 'nosuch' (known: default)"
    assert stored(tmp_path) == before


def test_invite_refuses_rows_with_exit_status_3_and_warns_without_a_bot_username(tmp_path: Path) -> None:
    rows = "customer_ref,order_ref,language\nc1,A1,de\nc2,A2,xx\nc3,,\nc4,A4,pt-BR\n"
    result = run(["invite", "--csv", "-"], tmp_path, stdin=rows)
    assert result.returncode == 3, result.stderr[-2000:]
    warning = [line for line in result.stderr.splitlines() if "TELEGRAM_BOT_USERNAME" in line]
    assert len(warning) == 1 and "WARNING" in warning[0]
    out = {row["line"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert out["3"]["status"] == "refused" and "unknown language 'xx'" in out["3"]["problem"]
    assert out["2"]["status"] == "invited" and out["2"]["deep_link"] == "", "no bare payload as a link"
    assert out["2"]["start_payload"] == "i-" + out["2"]["invitation_id"], "the payload has its own column"
    assert "invited: 2" in result.stderr and "refused: 2" in result.stderr
    invitations = stored(tmp_path)["invitations"]
    assert sorted(json.loads(doc)["order_ref"] for doc in invitations) == ["A1", "A4"]
    assert {json.loads(doc)["language"] for doc in invitations} == {"de", "pt"}

    linked = run(["invite", "--csv", "-"], tmp_path, stdin="customer_ref,order_ref\nc1,A1\n",
                 TELEGRAM_BOT_USERNAME="shop_bot")  # fmt: skip
    assert linked.returncode == 0 and "TELEGRAM_BOT_USERNAME" not in linked.stderr
    assert "https://t.me/shop_bot?start=i-" in linked.stdout
