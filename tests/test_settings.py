from pathlib import Path

import pytest
import yaml

from sportello.settings import PROJECT_CONFIG, Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_file_values_then_environment_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yml"
    config.write_text("data_dir: dati\nretrieval:\n  min_similarity: 0.7\n  rrf_k: 10\n", "utf-8")
    monkeypatch.setenv("SPORTELLO__RETRIEVAL__MIN_SIMILARITY", "0.9")
    settings = load_settings(config)
    assert settings.retrieval.min_similarity == 0.9  # environment beats the file
    assert settings.retrieval.rrf_k == 10  # the file beats the default
    assert settings.data_dir == tmp_path / "dati"  # relative to the config file


def test_bad_values_name_the_key_and_the_variable(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("retrieval:\n  fusion: magic\n", "utf-8")
    with pytest.raises(SettingsError, match=r"retrieval\.fusion: .*SPORTELLO__RETRIEVAL__FUSION"):
        load_settings(config)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("retreival:\n  k: 1\n", "utf-8")
    with pytest.raises(SettingsError, match="retreival"):
        load_settings(config)


def test_missing_or_broken_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("data_dir: [\n", "utf-8")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(broken)


def test_committed_config_matches_the_code_defaults() -> None:
    """config.yml documents every setting; it must not drift from the classes' defaults."""
    committed = yaml.safe_load(PROJECT_CONFIG.read_text("utf-8"))
    assert set(committed) == set(Settings.model_fields)
    defaults = Settings.model_construct()
    for section in ("encoder", "retrieval", "nlu", "database", "privacy", "dialogue", "telegram"):
        expected = getattr(defaults, section).model_dump(mode="json")
        assert committed[section] == expected, section
