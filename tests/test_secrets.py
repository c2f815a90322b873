"""Secrets only from the environment or from private files; the key file checked like a key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sportello.secrets_store import pseudonym_key
from sportello.settings import SettingsError, load_settings
from tests.conftest import run_cli

TOKEN = "7412345678:AAH3kx_Yz-9QwErTyUiOpAsDfGhJkLzXcVb"
KEY = "4f9c2a7e81d35b06c9e4a1f7d2b8e05a3c6f9d1e7b4a2c8f"


def secret_file(path: Path, content: str, mode: int = 0o600) -> Path:
    path.write_text(content, "utf-8")
    path.chmod(mode)
    return path


def config(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "config.yml"
    file.write_text(text, "utf-8")
    return file


@pytest.mark.unit
@pytest.mark.parametrize(
    ("yaml_text", "variable"),
    [
        (f"telegram:\n  token: '{TOKEN}'\n", "SPORTELLO__TELEGRAM__TOKEN"),
        ("telegram:\n  webhook_secret: changeme\n", "SPORTELLO__TELEGRAM__WEBHOOK_SECRET"),
        (f"privacy:\n  pseudonym_key: {KEY}\n", "SPORTELLO__PRIVACY__PSEUDONYM_KEY"),
    ],
)
def test_a_secret_in_the_config_file_is_refused_naming_the_variable(
    tmp_path: Path, yaml_text: str, variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable) as refused:
        load_settings(config(tmp_path, yaml_text))
    assert "never read from the config file" in str(refused.value)
    assert TOKEN not in str(refused.value) and KEY not in str(refused.value)


@pytest.mark.unit
def test_null_secrets_in_the_config_file_are_fine(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "telegram:\n  token: null\n"))
    assert settings.telegram.token is None


@pytest.mark.unit
def test_the_token_can_come_from_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = secret_file(tmp_path / "bot-token", TOKEN + "\n")
    monkeypatch.setenv("SPORTELLO__TELEGRAM__TOKEN_FILE", str(token_file))
    settings = load_settings(config(tmp_path, ""))
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == TOKEN
    assert TOKEN in settings.secret_values()  # so the logs can scrub it
    monkeypatch.setenv("SPORTELLO__TELEGRAM__TOKEN", TOKEN)
    with pytest.raises(SettingsError, match="keep one of them"):
        load_settings(config(tmp_path, ""))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (TOKEN, 0o644, r"can be read by other users .* chmod 600"),
        (TOKEN, 0o640, r"chmod 600"),
        ("  \n", 0o600, "is empty"),
    ],
)
def test_an_open_or_empty_secret_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, mode: int, message: str
) -> None:
    token_file = secret_file(tmp_path / "bot-token", content, mode)
    monkeypatch.setenv("SPORTELLO__TELEGRAM__WEBHOOK_SECRET_FILE", str(token_file))
    with pytest.raises(SettingsError, match=message) as refused:
        load_settings(config(tmp_path, ""))
    assert str(token_file) in str(refused.value) and TOKEN not in str(refused.value)


@pytest.mark.unit
def test_a_missing_secret_file_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPORTELLO__TELEGRAM__TOKEN_FILE", str(tmp_path / "nope"))
    with pytest.raises(SettingsError, match="not found — fix SPORTELLO__TELEGRAM__TOKEN_FILE"):
        load_settings(config(tmp_path, ""))


# -- the pseudonymisation key file ------------------------------------------------------------


@pytest.mark.unit
def test_the_key_file_is_created_private_where_the_setting_says(tmp_path: Path) -> None:
    where = tmp_path / "keys" / "sportello.key"
    settings = load_settings(
        config(tmp_path, f"data_dir: data\nprivacy:\n  pseudonym_key_file: {where}\n")
    )
    key = pseudonym_key(settings)
    assert len(key) == 64 and pseudonym_key(settings) == key  # generated once, then read
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "data" / "pseudonym.key").exists()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (KEY, 0o644, "chmod 600"),
        ("", 0o600, "is empty"),
        ("too-short-key", 0o600, "shorter than 32"),
        ("changeme-changeme-changeme-changeme", 0o600, "placeholder"),
        ("a" * 64, 0o600, "too uniform"),
    ],
)
def test_a_bad_key_file_is_a_clear_error(
    tmp_path: Path, content: str, mode: int, message: str
) -> None:
    (tmp_path / "data").mkdir()
    secret_file(tmp_path / "data" / "pseudonym.key", content, mode)
    settings = load_settings(config(tmp_path, "data_dir: data\n"))
    with pytest.raises(SettingsError, match=message) as refused:
        pseudonym_key(settings)
    assert "pseudonym.key" in str(refused.value)


@pytest.mark.unit
def test_a_weak_key_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPORTELLO__PRIVACY__PSEUDONYM_KEY", "x" * 40)
    with pytest.raises(SettingsError, match="SPORTELLO__PRIVACY__PSEUDONYM_KEY"):
        pseudonym_key(load_settings(config(tmp_path, "")))
    monkeypatch.setenv("SPORTELLO__PRIVACY__PSEUDONYM_KEY", KEY)
    assert pseudonym_key(load_settings(config(tmp_path, ""))) == KEY.encode()


@pytest.mark.unit
def test_texts_cannot_outlive_the_log_rows_that_hold_them(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="log_user_ref_days"):
        load_settings(
            config(
                tmp_path, "dialogue:\n  retention_days: 120\nprivacy:\n  log_user_ref_days: 90\n"
            )
        )


@pytest.mark.integration
def test_the_cli_says_what_is_wrong_with_the_key_without_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    secret_file(data / "pseudonym.key", "", 0o600)
    result = run_cli("housekeeping", env={"SPORTELLO__DATA_DIR": str(data)})
    assert result.returncode == 2
    assert "pseudonym.key is empty" in result.stderr and "Traceback" not in result.stderr
    (data / "pseudonym.key").write_text(KEY, "utf-8")
    os.chmod(data / "pseudonym.key", 0o604)
    result = run_cli("housekeeping", env={"SPORTELLO__DATA_DIR": str(data)})
    assert result.returncode == 2 and f"chmod 600 {data / 'pseudonym.key'}" in result.stderr
