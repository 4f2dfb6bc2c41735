"""The WhatsApp and web chat load benchmarks still run end to end: two customers each, every answer stored.

They drive the bot only through its public surfaces (a child `feedback-bot run`, webhooks, the fake Graph
API, the chat's WebSocket), so a change of the engine or of a channel's rendering that breaks them shows
here rather than on the next benchmark day. Figures are not asserted.
"""

from __future__ import annotations

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
