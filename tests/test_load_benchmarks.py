"""The WhatsApp and web chat load benchmarks still run end to end: two customers each, every answer stored.

They drive the bot only through its public surfaces (a child `feedback-bot run`, webhooks, the fake Graph
API, the chat's WebSocket), so a change of the engine or of a channel's rendering that breaks them shows
here rather than on the next benchmark day. Timings are not asserted; the store round trips, counted by
the embedded server, must be printed and plausible.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from benchmarks import webchat_load, whatsapp_load


@pytest.mark.parametrize("main", [whatsapp_load.main, webchat_load.main], ids=["whatsapp", "webchat"])
def test_two_customers_finish_and_every_answer_is_stored(
    main: Callable[[list[str] | None], int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--customers", "2", "--duration-limit", "90"]) == 0
    lines = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(" : ") for line in capsys.readouterr().out.splitlines())
    )
    assert lines["surveys completed (thank-you received)"] == "2 / 2"
    assert lines["responses in MongoDB"].endswith("0 missing, 0 doubled, 0 mismatched")
    assert "2 of 2 finished customers have one matching exactly" in lines["responses in MongoDB"]
    assert lines["bot exit code"] == "0"
    assert lines["bot log lines at WARNING or above"] == "0"
    # Each action stores at least its inbox event (the web chat's /start before consent aside), far
    # fewer than dozens: a count of 0 or of hundreds is a counting problem, not the bot's cost.
    over_load = lines["store round trips over the load"]
    assert " for 24 actions (20 answers): per action " in over_load
    assert 1.0 <= per_action(over_load) < 30.0
    assert "inbox insert" in over_load and "conversations update" in over_load
    # The probe customer alone after the load: its survey's ten answers, each counted.
    assert "lost" not in lines
    alone = lines["store round trips per answer (steady state, 10 answers)"]
    assert 1.0 <= first_figure(alone) < 30.0
    if main is whatsapp_load.main:  # the fake Graph API holds the reply's first message call
        assert alone.startswith("reply path (before the bot's first message call) ")
        assert 0.0 < first_figure(alone.split("; after it ", 1)[1]) < 30.0
    else:
        assert alone.startswith("all of it (not split at the reply) ")


def per_action(line: str) -> float:
    found = re.search(r"per action (\d+\.\d+) \(", line)
    assert found is not None, line
    return float(found[1])


def first_figure(text: str) -> float:
    found = re.search(r"(\d+\.\d+) \(", text)
    assert found is not None, text
    return float(found[1])
