"""`sportello managers …` and `sportello tickets …`, run as a user would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from escalation import open_or_append
from storage import Database, ensure_user
from tests.conftest import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_managers_and_tickets_from_the_command_line(tmp_path: Path) -> None:
    env = {"SPORTELLO__DATA_DIR": str(tmp_path), "SPORTELLO__LOG_LEVEL": "ERROR"}
    assert run_cli("companies", "add", "ACME", "Acme spa", env=env).returncode == 0
    added = run_cli(
        "managers",
        "add",
        "--telegram-id",
        "900",
        "--name",
        "Anna Rossi",
        "--company",
        "acme",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert "company ACME" in added.stdout
    network = run_cli("managers", "add", "--telegram-id", "901", "--name", "Rete", env=env)
    assert "the network" in network.stdout
    twice = run_cli("managers", "add", "--telegram-id", "901", "--name", "Rete", env=env)
    assert twice.returncode == 2 and "already a manager" in twice.stderr
    unknown = run_cli(
        "managers", "add", "--telegram-id", "902", "--name", "X", "--company", "NOPE", env=env
    )
    assert unknown.returncode == 2 and "no company" in unknown.stderr
    assert run_cli("managers", "available", "--telegram-id", "900", "no", env=env).returncode == 0
    listing = run_cli("managers", "list", env=env).stdout.splitlines()
    assert listing == ["901\tRete\tnetwork", "900\tAnna Rossi\tACME (not available)"]

    database = Database.from_url(f"sqlite:///{tmp_path / 'sportello.db'}")
    with database.session() as session:
        ensure_user(
            session, user_ref="ref-a", telegram_user_id=None, chat_id=None, language="it", now=NOW
        )
        open_or_append(
            session,
            key="k",
            user_ref="ref-a",
            company_id=None,
            topic="asili-nido",
            summary="Ha chiesto di parlare con una persona",
            transcript=None,
            note="Mi serve aiuto",
            priority="high",
            now=NOW,
        )
    database.dispose()
    rows = [
        json.loads(line)
        for line in run_cli("tickets", "list", "--json", env=env).stdout.splitlines()
    ]
    assert [(r["number"], r["status"], r["priority"], r["topic"]) for r in rows] == [
        (1, "open", "high", "asili-nido")
    ]
    assert run_cli("tickets", "list", "--status", "closed", env=env).stdout.startswith("no tickets")
    shown = run_cli("tickets", "show", "1", env=env).stdout
    assert "Mi serve aiuto" in shown and "- → open" in shown
    missing = run_cli("tickets", "show", "99", env=env)
    assert missing.returncode == 2 and "no ticket number 99" in missing.stderr
    assert run_cli("managers", "remove", "--telegram-id", "900", env=env).returncode == 0
    assert run_cli("managers", "remove", "--telegram-id", "900", env=env).returncode == 2
