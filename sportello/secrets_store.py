"""The pseudonymisation key: from the environment, or generated once and kept in the data dir.

A desk must work out of the box (`sportello chat`), yet user references must never be derived
from a key anyone could guess: so there is no default key. An operator who runs several
processes, or keeps the database apart from the data dir, sets SPORTELLO__PRIVACY__PSEUDONYM_KEY.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from sportello.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

KEY_FILE = "pseudonym.key"
MIN_KEY_LENGTH = 32
PLACEHOLDERS = ("change", "secret", "example", "placeholder", "xxxx", "1234", "password")


def pseudonym_key(settings: Settings) -> bytes:
    configured = settings.privacy.pseudonym_key
    if configured is not None:
        value = configured.get_secret_value().strip()
        if len(value) < MIN_KEY_LENGTH or any(p in value.lower() for p in PLACEHOLDERS):
            raise SettingsError(
                "SPORTELLO__PRIVACY__PSEUDONYM_KEY looks like a placeholder or is shorter than"
                f" {MIN_KEY_LENGTH} characters — generate one with: python -c"
                " 'import secrets; print(secrets.token_hex(32))'"
            )
        return value.encode()
    path = settings.data_dir / KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip().encode()
    return _create_key(path)


def _create_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="utf-8").strip().encode()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    logger.warning("generated a new pseudonymisation key in %s: back it up with the database", path)
    return value.encode()
