"""`feedback-bot --help`, each command's help, `--version` and bad arguments, as an operator sees them."""

from __future__ import annotations

import argparse
import re
from importlib import metadata
from pathlib import Path

from bot.cli_parser import parser
from bot.invite_batch import COLUMNS
from tests.bot.cli_support import run


def test_help_says_what_the_program_is_and_lists_every_command_in_one_line(tmp_path: Path) -> None:
    result = run(["--help"], tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert "Feedback Bot: consent-first customer surveys and complaints" in result.stdout
    commands = re.findall(r"^    (\S+)\s{2,}\S", result.stdout, flags=re.MULTILINE)
    assert commands == [
        "run", "detect-language", "invite", "report", "rotate-contacts", "migrate", "export"
    ]


def test_every_command_has_a_summary_and_names_its_input(tmp_path: Path) -> None:
    subcommands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    for choice in subcommands._choices_actions:
        assert choice.help and "\n" not in choice.help and len(choice.help) <= 70, choice.dest
    detect = run(["detect-language", "--help"], tmp_path)
    assert detect.returncode == 0 and "standard input" in detect.stdout
    invite = " ".join(run(["invite", "--help"], tmp_path).stdout.split())
    assert all(column in invite for column in COLUMNS) and "Exit status 0" in invite


def test_version(tmp_path: Path) -> None:
    result = run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"feedback-bot {metadata.version('feedback-bot')}"


def test_bad_arguments_exit_2_with_usage_on_stderr(tmp_path: Path) -> None:
    for args in ([], ["frobnicate"], ["report", "--from", "yesterday"], ["export", "answers"]):
        result = run(args, tmp_path)
        assert result.returncode == 2 and result.stdout == "", args
        assert result.stderr.startswith("usage: feedback-bot"), args
        assert "error:" in result.stderr.splitlines()[-1] and "Traceback" not in result.stderr
    dated = run(["report", "--from", "yesterday"], tmp_path)
    assert "'yesterday' is not a day in the form YYYY-MM-DD" in dated.stderr
