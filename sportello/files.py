"""The desk's files at rest are its user's alone: folders 0700, files 0600.

The data directory holds the database (with its `-wal`/`-shm`), exports written by the
terminal chat, the pseudonymisation key by default and the index cache; none of it is for
the other accounts of the machine. The CLI also sets the process umask to 077, so whatever a
library creates there (the index, SQLite's side files) is private from the start; these
helpers make sure of the folders and of files that existed before.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700, or tighten it if it is ours and open.

    A shared folder (sticky bit, like /tmp) or one owned by another account is left alone:
    changing it would break others, and the files inside are private anyway.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    shared = info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid()
    if info.st_mode & 0o077 and not shared:
        path.chmod(0o700)
        logger.warning("%s was readable by other users: now 0700", path)
    return path


def private_file(path: Path, content: bytes) -> Path:
    """Write `content` to a new or existing file that only this user can read (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an older file may have had looser bits
        handle.write(content)
    return path
