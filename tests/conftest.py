"""Shared fixtures. Integration tests share one built index (building it takes seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `sportello` as a user would, in a separate process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sportello.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        check=check,
        timeout=300,
    )


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment for CLI runs: a private data dir with the real base's index already built."""
    data = tmp_path_factory.mktemp("data")
    env = {"SPORTELLO__DATA_DIR": str(data), "SPORTELLO__LOG_LEVEL": "ERROR"}
    run_cli("kb", "build", env=env, check=True)
    yield env
