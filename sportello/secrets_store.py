"""The pseudonymisation key: from the environment, or from a key file (generated once).

A desk must work out of the box (`sportello chat`), yet user references must never be derived
from a key anyone could guess: so there is no default key. The key file lives in the data dir
unless `privacy.pseudonym_key_file` puts it elsewhere — which is better: whoever has the
database and the key can tell which Telegram account is behind a user reference, so the key
should not travel with the database's backups. An operator who runs several machines sets
SPORTELLO__PRIVACY__PSEUDONYM_KEY instead.

The key file is checked like the environment key (length, no placeholder) and like an ssh
key (readable by this user only); an empty or unreadable file is a message, not a traceback.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from bot.settings import secret_weakness
from sportello.files import private_dir
from sportello.secret_files import SecretFileError, read_secret_file
from sportello.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

KEY_FILE = "pseudonym.key"
MIN_KEY_LENGTH = 32
ENV = "SPORTELLO__PRIVACY__PSEUDONYM_KEY"
HINT = "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"


def key_file(settings: Settings) -> Path:
    return settings.privacy.pseudonym_key_file or settings.data_dir / KEY_FILE


def pseudonym_key(settings: Settings) -> bytes:
    configured = settings.privacy.pseudonym_key
    if configured is not None:
        if settings.privacy.pseudonym_key_file is not None:
            raise SettingsError(f"both {ENV} and {ENV}_FILE are set — keep one of them")
        return _checked(configured.get_secret_value().strip(), ENV).encode()
    path = key_file(settings)
    if not path.exists():
        return _create_key(path)
    return _read(path)


def _read(path: Path) -> bytes:
    try:
        value = read_secret_file(path, f"{ENV}_FILE")
    except SecretFileError as exc:
        raise SettingsError(str(exc)) from None
    return _checked(value, str(path)).encode()


def _checked(value: str, where: str) -> str:
    if len(value) < MIN_KEY_LENGTH:
        raise SettingsError(
            f"{where}: the key is shorter than {MIN_KEY_LENGTH} characters — {HINT}"
        )
    weakness = secret_weakness(value)
    if weakness is not None:
        raise SettingsError(f"{where}: the key {weakness} — {HINT}")
    return value


def _create_key(path: Path) -> bytes:
    """Written beside, then linked into place: nobody ever reads a half-written key."""
    private_dir(path.parent)
    value = secrets.token_hex(32)
    draft = path.with_name(f".{path.name}.{os.getpid()}.new")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(draft, path)
    except FileExistsError:  # another process created it first: use theirs
        return _read(path)
    finally:
        draft.unlink()
    logger.warning(
        "generated a new pseudonymisation key in %s: back it up, apart from the database", path
    )
    return value.encode()
