"""`feedback-bot run` with no token opens the terminal chat on the embedded store; data survives restarts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from core.questionnaire import BUILTIN_DIR

BIN = Path(sys.executable).parent
SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "MONGODB_URI",
    "PUBLIC_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "FEEDBACK_BOT_CONFIG",
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(
        FEEDBACK_BOT_DATA_DIR=str(data_dir), FEEDBACK_BOT_PORT="0", LANG="C.UTF-8", COMPANY_NAME="Acme"
    )
    return env


def _run(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "feedback-bot"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data_dir),
        cwd=data_dir,
        timeout=120,
        check=False,
    )


def test_console_survey_then_export_after_restart(tmp_path: Path) -> None:
    # Consent (1 = Agree), eight ratings by typed number, NPS by label, a comment, then leave.
    lines = ["/start", "1", "4", "four", "5", "4", "3", "4", "4", "4", "9", "Nice shop", "/quit"]
    first = _run(["run"], tmp_path, "\n".join(lines) + "\n")
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    assert "Acme" in out and "Do you agree to take part?" in out and "[1] Agree" in out
    assert "Question 1 of 10" in out and "Your answer: 4 · Satisfied" in out
    assert "Thank you! Your answers have been saved." in out
    assert "Nice shop" not in first.stderr, "logs must not contain message text"
    assert re.search(r"Web chat: open http://127\.0\.0\.1:\d+/chat in a browser", first.stderr)
    assert (tmp_path / "mongo" / "WiredTiger").is_file(), (
        "the embedded store keeps its files under the data folder"
    )

    exported = _run(["export", "responses", "--format", "jsonl"], tmp_path)
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["status"] == "complete" and rows[0]["channel"] == "console"
    assert rows[0]["answers"]["product_match"] == 4 and rows[0]["answers"]["recommend"] == 9
    assert rows[0]["answers"]["comments"] == "Nice shop"

    again = _run(["run"], tmp_path, "/start\n/quit\n")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Do you agree to take part?" in again.stdout

    # One respondent: the report runs, and hides figures that would describe a single customer.
    text = _run(["report"], tmp_path)
    assert text.returncode == 0, text.stderr[-2000:]
    assert text.stdout.startswith("Feedback report") and "fewer than 5 respondents" in text.stdout
    assert "Nice shop" not in text.stdout
    sheet = _run(["report", "--format", "csv", "--by", "channel"], tmp_path)
    assert sheet.stdout.splitlines()[0] == "section,group,metric,value"
    charts = _run(["report", "--format", "png", "--out", str(tmp_path / "charts")], tmp_path)
    written = sorted(Path(line).name.rsplit("-", 1)[-1] for line in charts.stdout.splitlines())
    assert written == ["dimensions.png", "funnel.png", "trend.png"], charts.stderr[-2000:]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in (tmp_path / "charts").iterdir())
    analysis = _run(["report", "--format", "html", "--out", str(tmp_path / "html")], tmp_path)
    page = Path(analysis.stdout.strip()).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<section id="actions">' in page, analysis.stderr[-2000:]
    assert "Nice shop" not in page and "Fewer than 5 respondents: not shown" in page
    rebuilt = _run(["report", "--rebuild"], tmp_path)
    assert "counters rebuilt from 1 responses, 0 invited, 1 started" in rebuilt.stderr, rebuilt.stderr[-2000:]
    refused = _run(["report", "--by", "shoe-size"], tmp_path)
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


def test_invalid_settings_are_reported(tmp_path: Path) -> None:
    config = tmp_path / "feedback-bot.toml"
    config.write_text('telegram_bot_token = "123:abc"\n')
    result = _run(["run", "--no-console"], tmp_path)
    assert result.returncode == 2 and "only be set in the environment" in result.stderr


def test_a_taken_port_is_reported_clearly(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**_env(tmp_path), "FEEDBACK_BOT_PORT": str(port)}
        result = subprocess.run(
            [str(BIN / "feedback-bot"), "run", "--no-console"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"FEEDBACK_BOT_PORT={port}" in result.stderr and "Traceback" not in result.stderr


def test_detect_language_prints_one_line_per_input_line(tmp_path: Path) -> None:
    lines = ["包裹坏了", "no llegó el pedido", "", "12345", "Das Paket ist beschädigt angekommen"]
    result = _run(["detect-language"], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [line.split() for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert [code for code, _, _ in out] == ["zh", "es", "und", "und", "de"]
    assert [served for _, _, served in out] == ["served", "served", "unserved", "unserved", "served"]
    assert all(0.0 <= float(confidence) <= 1.0 for _, confidence, _ in out)


def test_detect_language_names_an_unserved_language_given_as_arguments(tmp_path: Path) -> None:
    result = _run(["detect-language", "Coletul", "meu", "nu", "a", "sosit", "încă"], tmp_path)
    assert result.returncode == 0, result.stderr
    code, confidence, served = result.stdout.split()
    assert (code, served) == ("ro", "unserved") and float(confidence) >= 0.5


def test_detect_language_serves_only_what_the_default_questionnaire_covers(tmp_path: Path) -> None:
    # A shop questionnaire in English and Spanish only: German has a catalog but no questions.
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shipped = (BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8")
    (folder / "shop.yaml").write_text(_only_languages(shipped, ("en", "es")), encoding="utf-8")
    env = {**_env(tmp_path), "QUESTIONNAIRES_DIR": str(folder), "DEFAULT_QUESTIONNAIRE": "shop"}
    result = subprocess.run(
        [str(BIN / "feedback-bot"), "detect-language"],
        input="Das Paket ist beschädigt angekommen\nEl pedido no llegó\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [line.split()[::2] for line in result.stdout.splitlines()] == [
        ["de", "unserved"],
        ["es", "served"],
    ]


def _only_languages(document: str, languages: tuple[str, ...]) -> str:
    """The shipped questionnaire as a shop's own (id `shop`), keeping only `languages`' texts."""
    data = yaml.safe_load(document)

    def keep(node: object) -> object:
        if isinstance(node, dict):
            if node and set(node) <= set(data["languages"]):
                return {code: text for code, text in node.items() if code in languages}
            return {key: keep(value) for key, value in node.items()}
        if isinstance(node, list):
            return [keep(item) for item in node]
        return node

    trimmed = keep({key: value for key, value in data.items() if key != "languages"})
    assert isinstance(trimmed, dict)
    return yaml.safe_dump({**trimmed, "id": "shop", "languages": list(languages)}, allow_unicode=True)


def test_json_logs_carry_no_customer_words(tmp_path: Path) -> None:
    secret_words = "Call Ana García on +34 600 111 222"
    lines = ["/start", "1", "4", secret_words, "/complain", "/quit"]
    env = {**_env(tmp_path), "LOG_FORMAT": "json"}
    result = subprocess.run(
        [str(BIN / "feedback-bot"), "run"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert entries and all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert any("web chat at http://127.0.0.1:" in entry["message"] for entry in entries)
    assert "García" not in result.stderr and "600 111 222" not in result.stderr


def test_console_builds_a_questionnaire_by_numbered_buttons(tmp_path: Path) -> None:
    # The menu's buttons: [1] Add a question [2] Reorder / remove [3] Save [4] Cancel.
    lines = [
        "/admin new",
        "your repair",
        "repair check",
        "1",  # Add a question
        "1",  # 1–5 satisfaction
        "3",  # after-sales
        "How satisfied are you with our excellent repair?",
        "1",  # Required
        "3",  # Save as working copy
        "/admin show repair-check",
        "/quit",
    ]
    (tmp_path / "feedback-bot.toml").write_text('survey_languages = ["en"]\n', encoding="utf-8")
    result = _run(["run"], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "[1] ➕ Add a question" in out and "[1] 1–5 satisfaction" in out
    assert "┆ How satisfied are you with our excellent repair?" in out
    assert "leading wording (presumes a quality of what is rated): 'our excellent'" in out
    assert "Working copy 'repair-check' saved." in out
    assert "1. q1 [rating5, after_sales]: How satisfied are you with our excellent repair?" in out
    assert "excellent repair" not in result.stderr, "logs must not contain message text"
