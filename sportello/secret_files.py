"""Secrets come from the environment or from files only this user can read; never config.yml.

`config.yml` is committed and copied around, so a secret written there is a secret shared.
The environment (or an untracked `.env`) holds them, or a file named by a `*_file` setting:
`SPORTELLO__TELEGRAM__TOKEN_FILE=/run/secrets/bot-token` suits systemd credentials, Docker
secrets and the like. A secret file is checked the way ssh checks a private key: it must
exist, not be readable by the group or others, and not be empty.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sportello.errors import SportelloError

SECRETS: tuple[tuple[str, str], ...] = (
    ("telegram", "token"),
    ("telegram", "webhook_secret"),
    ("privacy", "pseudonym_key"),
)
"""(section, key) of every secret setting; each has a `<key>_file` companion."""


class SecretFileError(SportelloError, ValueError):
    """A secret file cannot be used; the message names the file and the fix."""


def env_name(section: str, key: str) -> str:
    return f"SPORTELLO__{section.upper()}__{key.upper()}"


def secrets_in_file(values: Mapping[str, Any]) -> list[str]:
    """Why the config file's `values` may not be used: one line per secret written in it."""
    problems = []
    for section, key in SECRETS:
        block = values.get(section)
        if isinstance(block, Mapping) and block.get(key) not in (None, ""):
            problems.append(
                f"{section}.{key} is a secret and is never read from the config file — remove"
                f" it there and set {env_name(section, key)} in the environment (or"
                f" {env_name(section, key + '_file')} to a file only you can read)"
            )
    return problems


def read_secret_file(path: Path, setting: str) -> str:
    """The stripped content of a private, non-empty secret file (SecretFileError if not)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SecretFileError(f"{path}: file not found — fix {setting}") from None
    except OSError as exc:
        raise SecretFileError(f"{path}: cannot read it ({exc.strerror}) — fix {setting}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SecretFileError(f"{path}: not a regular file — fix {setting}")
    if info.st_mode & 0o077:
        raise SecretFileError(
            f"{path} can be read by other users of this machine"
            f" (mode {stat.filemode(info.st_mode)}) — run: chmod 600 {path}"
        )
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretFileError(f"{path}: cannot read it ({exc}) — fix {setting}") from None
    if not value:
        raise SecretFileError(f"{path} is empty — write the secret in it, or fix {setting}")
    return value
