"""Settings: defaults, environment, the TOML file, and the secrets-only-from-environment rule."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import AliasChoices, ValidationError

from bot.settings import CONFIG_FILE_ENV, Settings, SettingsError, load_settings


def _setting_names() -> set[str]:
    names = {CONFIG_FILE_ENV}
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices)
        elif isinstance(alias, str):
            names.add(alias)
    return {name.upper() for name in names}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting of the developer's shell and no ./feedback-bot.toml may reach these tests."""
    names = _setting_names()
    for variable in list(os.environ):
        if variable.upper() in names:
            monkeypatch.delenv(variable)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch, name: str = "bot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
    return path


def test_defaults() -> None:
    settings = load_settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.data_dir == Path("data")
    assert settings.mongodb_uri is None
    assert settings.mongodb_database == "feedback_bot"
    assert settings.telegram_bot_token is None
    assert settings.telegram_webhook_secret is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.public_url is None
    assert settings.telegram_webhook_mode is False
    assert settings.telegram_chat_rate == 1.0
    assert settings.telegram_chat_burst == 4
    assert settings.telegram_global_rate == 30.0
    assert settings.default_language == "en"
    assert settings.default_questionnaire == "default"
    assert settings.questionnaires_dir is None
    assert settings.data_retention_days == 365


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDBACK_BOT_HOST", "0.0.0.0")
    monkeypatch.setenv("FEEDBACK_BOT_PORT", "9100")
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.internal:27017/")
    monkeypatch.setenv("MONGODB_DATABASE", "shop_feedback")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("TELEGRAM_CHAT_BURST", "2")
    monkeypatch.setenv("COMPANY_NAME", "Acme")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "de")
    settings = load_settings()
    assert settings.host == "0.0.0.0"
    assert settings.port == 9100
    assert settings.mongodb_uri is not None
    assert settings.mongodb_uri.get_secret_value() == "mongodb://db.internal:27017/"
    assert settings.mongodb_database == "shop_feedback"
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:abc"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram_chat_burst == 2
    assert settings.company_name == "Acme"
    assert settings.default_language == "de"


def test_an_empty_variable_is_unset_not_an_empty_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = ("WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    for name in secrets:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("FEEDBACK_BOT_PORT", "")
    settings = load_settings()
    assert settings.whatsapp_app_secret is None and settings.whatsapp_access_token is None
    assert settings.telegram_bot_token is None and settings.slack_signing_secret is None
    assert settings.port == 8080


def test_secrets_are_not_shown_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret-token")
    monkeypatch.setenv("MONGODB_URI", "mongodb://user:hunter2@db.internal/")
    shown = repr(load_settings())
    assert "very-secret-token" not in shown
    assert "hunter2" not in shown


def test_invalid_environment_value_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDBACK_BOT_PORT", "70000")
    with pytest.raises(ValidationError):
        load_settings()


def test_survey_languages_are_shipped_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_LANGUAGES", '["en", "de", "en"]')
    assert load_settings().survey_languages == ["en", "de"]
    monkeypatch.setenv("SURVEY_LANGUAGES", '["en", "xx"]')
    with pytest.raises(ValidationError, match="xx: not shipped"):
        load_settings()


def test_named_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(
        tmp_path,
        'feedback_bot_port = 9001\ncompany_name = "X"\ntelegram_chat_burst = 3\n'
        'public_url = "https://bot.example.com"\n',
        monkeypatch,
    )
    settings = load_settings()
    assert settings.port == 9001
    assert settings.company_name == "X"
    assert settings.telegram_chat_burst == 3
    assert settings.public_url == "https://bot.example.com"
    assert settings.host == "127.0.0.1"  # untouched settings keep their defaults


def test_upper_case_keys_in_the_file_work_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(tmp_path, 'FEEDBACK_BOT_PORT = 9002\nCOMPANY_NAME = "Y"\n', monkeypatch)
    settings = load_settings()
    assert (settings.port, settings.company_name) == (9002, "Y")


def test_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(tmp_path, 'feedback_bot_port = 9001\ncompany_name = "X"\n', monkeypatch)
    monkeypatch.setenv("FEEDBACK_BOT_PORT", "9500")
    settings = load_settings()
    assert settings.port == 9500
    assert settings.company_name == "X"


def test_default_file_in_the_working_directory_is_read(clean_environment: Path) -> None:
    (clean_environment / "feedback-bot.toml").write_text('company_name = "From cwd"\n', encoding="utf-8")
    assert load_settings().company_name == "From cwd"


@pytest.mark.parametrize(
    "line",
    [
        'telegram_bot_token = "123:abc"',
        'TELEGRAM_BOT_TOKEN = "123:abc"',
        'MONGODB_URI = "mongodb://u:p@db/"',
        'mongodb_uri = "mongodb://u:p@db/"',
        'telegram_webhook_secret = "s3cret"',
    ],
)
def test_secret_in_the_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    path = _config(tmp_path, f"feedback_bot_port = 9001\n{line}\n", monkeypatch)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert str(path) in message
    assert "environment" in message
    assert "123:abc" not in message and "u:p" not in message and "s3cret" not in message


def test_missing_named_file_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_FILE_ENV, str(tmp_path / "nowhere.toml"))
    with pytest.raises(SettingsError, match=r"nowhere\.toml"):
        load_settings()


def test_malformed_toml_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _config(tmp_path, "feedback_bot_port = = 1\n", monkeypatch)
    with pytest.raises(SettingsError, match=re.escape(str(path))):
        load_settings()


def test_webhook_mode_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.com")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings()

    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    settings = load_settings()
    assert settings.telegram_webhook_mode is True
    assert settings.telegram_webhook_secret is not None
    assert settings.telegram_webhook_secret.get_secret_value() == "s3cret"


def test_public_url_without_token_needs_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.com")
    assert load_settings().public_url == "https://bot.example.com"


def test_unknown_key_in_the_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(tmp_path, "port = 9001\n", monkeypatch)  # the field name, not the documented setting name
    with pytest.raises(SettingsError, match="unknown settings port"):
        load_settings()


def _documented_toml(marker: str) -> str:
    page = (Path(__file__).parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"```toml\n(.*?)```", page, flags=re.S)
    return next(block for block in blocks if marker in block)


def test_the_teams_example_in_docs_builds_a_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date, time

    from bot.policy import complaint_policy

    _config(tmp_path, _documented_toml("[teams.support]"), monkeypatch)
    policy = complaint_policy(load_settings())
    assert policy.team_for("logistics").name == "logistics"
    assert policy.team_for("wrong_item").channel == "C0LOGISTIC"
    assert policy.team_for("payment").name == "support"
    logistics = policy.teams["logistics"].calendar
    assert (
        logistics.timezone == "Asia/Shanghai" and logistics.opens == time(8, 30) and 5 in logistics.workdays
    )
    assert date(2026, 12, 25) in policy.teams["support"].calendar.holidays


def test_teams_and_routing_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.policy import complaint_policy

    monkeypatch.setenv("TEAMS", '{"care": {"channel": "C1", "timezone": "America/Sao_Paulo"}}')
    monkeypatch.setenv("DEFAULT_TEAM", "care")
    monkeypatch.setenv("ROUTING", '{"payment": "care"}')
    policy = complaint_policy(load_settings())
    assert policy.team_for("other").calendar.timezone == "America/Sao_Paulo"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ROUTING", '{"payment": "nobody"}', "unknown teams: nobody"),
        ("ROUTING", '{"weather": "support"}', "unknown categories: weather"),
        ("DEFAULT_TEAM", "ghosts", "default team 'ghosts'"),
        ("TEAMS", '{"support": {"timezone": "Mars/Base"}}', "TEAMS.support"),
        ("COMPLAINT_ORDER_PATTERN", "[unclosed", "COMPLAINT_ORDER_PATTERN"),
        ("COMPLAINT_ORDER_EXAMPLE", "!!", "COMPLAINT_ORDER_EXAMPLE"),
    ],
)
def test_bad_complaint_settings_are_refused_with_their_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    from bot.policy import complaint_policy

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=re.escape(named)):
        complaint_policy(load_settings())


def test_slack_secrets_are_refused_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(tmp_path, 'slack_signing_secret = "abc"\n', monkeypatch)
    with pytest.raises(SettingsError, match=r"slack_signing_secret may only be set in the environment"):
        load_settings()


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "data:image/svg+xml,x", "//evil.example/a.png", "a b"]
)
def test_a_logo_that_is_not_an_http_address_or_a_path_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WEBCHAT_LOGO_URL", value)
    with pytest.raises(ValidationError, match=r"(?i)webchat_logo_url"):
        load_settings()


@pytest.mark.parametrize("value", ["https://shop.example/logo.svg", "/static/logo.png"])
def test_a_logo_address_or_path_is_taken(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WEBCHAT_LOGO_URL", value)
    assert load_settings().webchat_logo_url == value


def test_fallback_languages_are_checked_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FALLBACK_LANGUAGES", "uk=ru, be=ru")
    assert load_settings().fallback_languages == "uk=ru, be=ru"
    monkeypatch.setenv("FALLBACK_LANGUAGES", "uk:ru")
    with pytest.raises(ValidationError, match=r"'uk:ru': expected LANGUAGE=LANGUAGE"):
        load_settings()
