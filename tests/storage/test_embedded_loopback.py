"""The embedded MongoDB has no authentication, so it is for one machine: loopback only (issue 16, item 9)."""

from __future__ import annotations

import pytest

from storage.embedded import EmbeddedMongo


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "db.example"])
async def test_the_embedded_server_refuses_to_listen_beyond_loopback(host: str) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        await EmbeddedMongo.start(data_dir=None, host=host)
