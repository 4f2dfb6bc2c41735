"""docs/settings.md is generated from the settings model and kept in step with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import settings_doc
from bot.settings import SECRETS, Settings


def test_the_committed_page_is_what_the_model_generates() -> None:
    committed = settings_doc.PAGE.read_text(encoding="utf-8")
    assert committed == settings_doc.render(), "docs/settings.md is stale: run python -m bot.settings_doc"


def test_every_setting_has_one_row_with_its_default_and_secrets_say_environment_only() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in settings_doc.render().splitlines()
        if line.startswith("| `")
    }
    for field in Settings.model_fields.values():
        name = settings_doc.setting_name(field)
        assert name in rows, name
        assert ("**Environment only.**" in rows[name]) == (name in SECRETS), name
    assert "| `FEEDBACK_BOT_PORT` | `8080` | integer, ≥ 0, ≤ 65535 |" in rows["FEEDBACK_BOT_PORT"]
    assert "| `LOG_FORMAT` | `text` | one of `text`, `json` |" in rows["LOG_FORMAT"]
    assert "| `MONGODB_URI` | unset |" in rows["MONGODB_URI"]


def test_check_mode_fails_on_a_stale_page_and_writing_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "docs" / "settings.md"
    monkeypatch.setattr(settings_doc, "PAGE", page)
    assert settings_doc.main(["--check"]) == 1  # missing
    page.parent.mkdir()
    page.write_text(settings_doc.render().replace("`8080`", "`8081`"), encoding="utf-8")
    assert settings_doc.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert settings_doc.main([]) == 0
    assert settings_doc.main(["--check"]) == 0
    assert page.read_text(encoding="utf-8") == settings_doc.render()
