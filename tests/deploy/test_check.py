"""deploy/check.sh accepts any valid MONGODB_URI (the bundled replica set's or a managed one)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "deploy" / "check.sh"


def _run(tmp_path: Path, uri: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / ".env"
    lines = [
        "PUBLIC_URL=https://feedback.acme-shop.de",
        f"MONGODB_URI={uri}",
        "MONGODB_DATABASE=feedback_bot",
        "CONTACT_KEYS=k1:" + base64.b64encode(os.urandom(32)).decode(),
        "WEBCHAT_SECRET=" + base64.b64encode(os.urandom(32)).decode(),
        "LOG_FORMAT=json",
        *extra,
    ]
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env_file.chmod(0o600)
    environment = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(CHECK), str(env_file)], capture_output=True, text=True, env=environment, timeout=120
    )


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb://feedback_bot:s3cret@mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0&authSource=admin",
        "mongodb://user:pw@host1,host2,host3/?replicaSet=rs0&authSource=admin&tls=true",
        "mongodb+srv://user:pw@cluster0.abcde.example.net/?retryWrites=true&w=majority",
    ],
)
def test_valid_uris_pass(tmp_path: Path, uri: str) -> None:
    result = _run(tmp_path, uri, "COMPOSE_FILE=compose.yaml:compose.managed-mongodb.yaml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ok    .env: MONGODB_URI is a valid MongoDB URI" in result.stdout
    assert "s3cret" not in result.stdout and "user:pw" not in result.stdout


def test_a_managed_uri_without_the_override_gets_a_note(tmp_path: Path) -> None:
    result = _run(tmp_path, "mongodb://db.internal:27017/")
    assert result.returncode == 0, result.stdout[-3000:]
    assert (
        "note  start it with: docker compose -f compose.yaml -f compose.managed-mongodb.yaml" in result.stdout
    )
    assert "note  MONGODB_URI without tls=true" in result.stdout


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("not-a-uri", "Invalid URI scheme"),
        ("mongodb+srv://user:pw@h1.example.net,h2.example.net/", "one, and only one, hostname"),
        ("mongodb://u:p@mongo1:27017/", "MONGODB_URI for the bundled replica set is"),
    ],
)
def test_invalid_uris_fail(tmp_path: Path, uri: str, problem: str) -> None:
    result = _run(tmp_path, uri)
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and problem in failed[0], result.stdout[-3000:]
