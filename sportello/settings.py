"""One typed settings object for the whole desk.

Layers, lowest first: the defaults in these classes, `config.yml` (committed), a `.env` file,
then environment variables `SPORTELLO__SECTION__KEY` (e.g. `SPORTELLO__RETRIEVAL__MIN_SIMILARITY`).
Relative paths are resolved against the folder of the config file that was read, so the desk
behaves the same whatever folder it is started from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.settings import TelegramSettings
from escalation.settings import EscalationSettings
from handlers.dispatch import DEFAULT_MAX_BATCH
from handlers.settings import DialogueSettings, RetentionSettings
from knowledge import BUNDLED_BASE, BUNDLED_TOPICS, EncoderSettings, RetrievalSettings
from sportello.errors import SportelloError
from sportello.secret_files import SecretFileError, read_secret_file, secrets_in_file

CONFIG_ENV = "SPORTELLO_CONFIG"
PROJECT_CONFIG = Path(__file__).resolve().parents[1] / "config.yml"


class KnowledgeSettings(BaseModel):
    base_dir: Path = BUNDLED_BASE
    topics_file: Path = BUNDLED_TOPICS
    phrasings_dir: Path | None = Field(
        default=None,
        description="other-language phrasings (<lang>.yml); null: phrasings/ beside base_dir",
    )


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means a SQLite file in data_dir (sportello.db)",
    )


class PrivacySettings(RetentionSettings):
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="HMAC key for user references, from the environment only; when unset, the"
        " key file is used (generated once if missing)",
    )
    pseudonym_key_file: Path | None = Field(
        default=None,
        description="where the key is kept when not in the environment; empty:"
        " data_dir/pseudonym.key. Keep it apart from the database (and from its backups)",
    )
    min_group_size: int = Field(
        default=5,
        ge=5,
        description="k of the reports' suppression rule: no figure counts 1 to k-1 people or"
        " leaves 1 to k-1 out; never below 5",
    )


class NluSettings(BaseModel):
    engine: Literal["builtin", "rasa"] = "builtin"
    data_file: Path | None = Field(default=None, description="Rasa NLU YAML; empty: bundled")
    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description="the Rasa server (`rasa run --enable-api`) the rasa engine asks",
    )
    rasa_timeout: float = Field(
        default=0.5, gt=0, description="seconds a parse may take before the builtin answers"
    )
    rasa_retries: int = Field(
        default=1, ge=0, le=5, description="immediate retries of a refused or reset connection"
    )
    rasa_retry_after: float = Field(
        default=10.0, ge=0, description="seconds between attempts while Rasa is down"
    )
    rasa_venv: Path | None = Field(
        default=None, description="Rasa's Python 3.10 venv; empty: data_dir/rasa/venv"
    )
    rasa_python: Path | None = Field(
        default=None, description="python3.10 to build it with; empty: PATH, then pyenv"
    )


class WorkerSettings(BaseModel):
    processes: int = Field(
        default=1,
        ge=0,
        le=1,
        description="1 runs the engine of `sportello run` in a worker process of its own, 0 in"
        " a thread of the bot process (one process, less memory, less throughput)",
    )
    max_batch: int = Field(
        default=DEFAULT_MAX_BATCH, ge=1, description="turns an engine call takes at most"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPORTELLO__",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    data_dir: Path = Path("var")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    knowledge: KnowledgeSettings = KnowledgeSettings()
    encoder: EncoderSettings = EncoderSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    nlu: NluSettings = NluSettings()
    database: DatabaseSettings = DatabaseSettings()
    privacy: PrivacySettings = PrivacySettings()
    dialogue: DialogueSettings = DialogueSettings()
    telegram: TelegramSettings = TelegramSettings()
    workers: WorkerSettings = WorkerSettings()
    escalation: EscalationSettings = EscalationSettings()

    @model_validator(mode="after")
    def _texts_live_no_longer_than_their_rows(self) -> Settings:
        if self.dialogue.retention_days > self.privacy.log_user_ref_days:
            raise ValueError(
                f"dialogue.retention_days ({self.dialogue.retention_days}) is longer than"
                f" privacy.log_user_ref_days ({self.privacy.log_user_ref_days}): a kept question"
                " text lives in its log row, so raise log_user_ref_days or lower retention_days"
            )
        return self

    def secret_values(self) -> list[str]:
        """The secrets known from the environment, for the logs to scrub."""
        found = (self.telegram.token, self.telegram.webhook_secret, self.privacy.pseudonym_key)
        return [s.get_secret_value() for s in found if s is not None]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment must beat them.
        return env_settings, dotenv_settings, init_settings, file_secret_settings


class SettingsError(SportelloError, ValueError):
    """The configuration cannot be used; the message names the file or variable and the fix."""


def find_config(explicit: Path | None = None) -> Path | None:
    """--config, then $SPORTELLO_CONFIG, then ./config.yml, then the project's config.yml."""
    if explicit is not None:
        if not explicit.is_file():
            raise SettingsError(f"{explicit}: config file not found — check the --config path")
        return explicit
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise SettingsError(f"{path}: config file not found — fix ${CONFIG_ENV}")
        return path
    for candidate in (Path("config.yml"), PROJECT_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the config file and the environment; `overrides` win over both."""
    path = find_config(config)
    values: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML ({exc}) — fix the syntax") from exc
        if not isinstance(loaded, dict):
            raise SettingsError(f"{path}:1: expected 'section: values' mappings — see config.yml")
        refused = secrets_in_file(loaded)
        if refused:
            raise SettingsError("\n".join(f"{path}: {problem}" for problem in refused))
        values = loaded
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, path)) from exc
    if overrides:
        settings = settings.model_copy(update=overrides)
    settings = _resolve_paths(settings, path.parent.resolve() if path else Path.cwd())
    return _read_secret_files(settings)


def _read_secret_files(settings: Settings) -> Settings:
    """Fill the Telegram secrets from their `*_file` settings (the key file is read later,
    by the pseudonymiser, because it may have to be created)."""
    telegram = settings.telegram
    update: dict[str, SecretStr] = {}
    for key in ("token", "webhook_secret"):
        file: Path | None = getattr(telegram, key + "_file")
        if file is None:
            continue
        name = f"SPORTELLO__TELEGRAM__{key.upper()}"
        if getattr(telegram, key) is not None:
            raise SettingsError(f"both {name} and {name}_FILE are set — keep one of them")
        try:
            update[key] = SecretStr(read_secret_file(file, name + "_FILE"))
        except SecretFileError as exc:
            raise SettingsError(str(exc)) from None
    if not update:
        return settings
    return settings.model_copy(update={"telegram": telegram.model_copy(update=update)})


def _resolve_paths(settings: Settings, root: Path) -> Settings:
    def absolute(p: Path) -> Path:
        p = p.expanduser()
        return p if p.is_absolute() else root / p

    knowledge = settings.knowledge.model_copy(
        update={
            "base_dir": absolute(settings.knowledge.base_dir),
            "topics_file": absolute(settings.knowledge.topics_file),
            "phrasings_dir": (
                absolute(settings.knowledge.phrasings_dir)
                if settings.knowledge.phrasings_dir is not None
                else None
            ),
        }
    )
    nlu = settings.nlu
    for key in ("data_file", "rasa_venv"):
        value = getattr(nlu, key)
        if value is not None:
            nlu = nlu.model_copy(update={key: absolute(value)})
    telegram = settings.telegram.model_copy(
        update={
            key: absolute(value)
            for key in ("token_file", "webhook_secret_file")
            if (value := getattr(settings.telegram, key)) is not None
        }
    )
    privacy = settings.privacy
    if privacy.pseudonym_key_file is not None:
        privacy = privacy.model_copy(
            update={"pseudonym_key_file": absolute(privacy.pseudonym_key_file)}
        )
    return settings.model_copy(
        update={
            "data_dir": absolute(settings.data_dir),
            "knowledge": knowledge,
            "nlu": nlu,
            "telegram": telegram,
            "privacy": privacy,
        }
    )


def _explain(exc: ValidationError, path: Path | None) -> str:
    where = str(path) if path else "settings"
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        env = "SPORTELLO__" + "__".join(str(part).upper() for part in error["loc"])
        lines.append(f"{where}: {key}: {error['msg']} — fix it in the file or in ${env}")
    return "\n".join(lines)
