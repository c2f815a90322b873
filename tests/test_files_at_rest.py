"""Files at rest: private modes after a run, and erased text gone from the database files
while the desk still runs (SQLite keeps old pages in its WAL until a checkpoint)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from handlers import Pseudonymizer
from knowledge import RetrievalSettings
from storage import Database
from tests.conftest import KEY, DeskParts, make_engine, run_cli
from tests.dialogue.conftest import Chat

pytestmark = pytest.mark.integration

UNANSWERABLE = "Il mio vicino Gennaro Esposito suona la tromba di notte, cosa faccio?"
PENDING = "Mia figlia Lucrezia ha la febbre: posso usare i permessi?"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_bytes(path: Path) -> bytes:
    """The raw bytes of the database and of its WAL, as anyone reading the disk would see."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erased_text_leaves_the_database_files_while_the_desk_runs(
    tmp_path: Path, desk_parts: DeskParts
) -> None:
    file = tmp_path / "data" / "sportello.db"
    database = Database.from_url(f"sqlite:///{file}")
    database.upgrade()
    engine = make_engine(
        database,
        desk_parts,
        RetrievalSettings(
            min_similarity=1.5, confident_similarity=1.5, dominant_min_similarity=1.5
        ),
    )
    chat = Chat(engine, user_id=918_273_645)
    chat.send(PENDING)  # held in the flow data until onboarding ends
    chat.onboard()
    chat.send(UNANSWERABLE)  # a fallback: its text is kept for review
    user_ref = Pseudonymizer(KEY).user_ref("test", chat.user_id)
    before = database_bytes(file)
    for trace in (UNANSWERABLE, PENDING, user_ref):
        assert trace.encode() in before, trace  # the check below could fail
    chat.send("/cancella")
    chat.press("Sì, cancella")
    assert "ho cancellato" in chat.text()
    after = database_bytes(file)  # the engine and its connections are still open
    for trace in (UNANSWERABLE, PENDING, "Gennaro", "Lucrezia", user_ref):
        assert trace.encode() not in after, trace
    database.dispose()


def test_a_run_of_the_terminal_chat_leaves_only_private_files(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    data = Path(cli_env["SPORTELLO__DATA_DIR"])
    os.chmod(data, 0o755)  # as an older desk left it: the next start tightens it
    key_dir = tmp_path / "keys"
    env = {**cli_env, "SPORTELLO__PRIVACY__PSEUDONYM_KEY_FILE": str(key_dir / "pseudonym.key")}
    script = "/start\n1\n1\n1\n/miei_dati\n/esci\n"
    result = run_cli("chat", env=env, input=script)
    assert result.returncode == 0, result.stderr
    assert "salvato in" in result.stdout, result.stdout
    assert mode(data) == 0o700
    assert mode(key_dir) == 0o700 and mode(key_dir / "pseudonym.key") == 0o600
    exports = list((data / "export").iterdir())
    assert exports and mode(data / "export") == 0o700
    private = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "sportello.db" for p in private)
    for path in private:
        assert mode(path) & 0o077 == 0, path
    for folder in (p for p in data.rglob("*") if p.is_dir()):
        assert mode(folder) & 0o077 == 0, folder
