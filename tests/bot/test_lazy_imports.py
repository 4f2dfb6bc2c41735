"""The worker imports a channel's or provider's library only when the settings switch it on.

python-telegram-bot (~24 MiB), slack-bolt with slack-sdk (~19 MiB), deep-translator with requests and
BeautifulSoup (~9 MiB), wordfreq (~12 MiB) and cryptography (~6 MiB, for contact details) would
otherwise sit in every worker's memory; see the memory figures in docs/benchmarks.md. Checked in a
fresh interpreter: this test process has them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = (
    "telegram",
    "slack_sdk",
    "slack_bolt",
    "deep_translator",
    "requests",
    "bs4",
    "wordfreq",
    "cryptography",
)


def test_the_command_line_loads_no_channel_library() -> None:
    code = (
        "import json, sys\n"
        "import bot.cli\n"
        f"print(json.dumps([name for name in {OPTIONAL!r} if name in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, timeout=120
    )
    assert json.loads(result.stdout) == []
