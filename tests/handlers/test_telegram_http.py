"""The Telegram adapter's HTTP client: httpcore's per-request probe for sniffio costs nothing when absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import asyncio, importlib.util, sys
from httpcore._synchronization import current_async_library
from handlers.telegram import skip_absent_sniffio

present = importlib.util.find_spec("sniffio") is not None
skip_absent_sniffio()
assert ("sniffio" in sys.modules and sys.modules["sniffio"] is None) == (not present)
try:
    import sniffio  # noqa: F401
except ImportError:
    assert not present
else:
    assert present

async def library() -> str:
    return current_async_library()

assert asyncio.run(library()) == "asyncio"
"""


def test_an_absent_sniffio_is_recorded_absent_and_httpcore_still_runs_on_asyncio() -> None:
    # A fresh interpreter: the test process's own modules stay as they were.
    subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, check=True, timeout=60)
