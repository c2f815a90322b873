"""Rasa's set-up without Rasa: a missing Python 3.10, the generated project, the stamps.

What an operator sees when Rasa cannot be installed or is not ready is one line naming what is
missing; the builtin engine is untouched by any of it.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from nlu import BUNDLED_NLU_DATA, load_training_data
from nlu.rasa import RasaEnvironmentError, RasaPaths, find_python310, is_installed
from nlu.rasa.environment import STAMP_NAME, rasa_process_env, requirements_hash
from nlu.rasa.project import (
    STATE_FILE,
    _run_training,
    project_files,
    project_hash,
    recorded_model,
    render_nlu,
)
from nlu.training_data import Example
from tests.conftest import run_cli

pytestmark = pytest.mark.unit


def test_no_python_310_anywhere_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "versions" / "3.11.7" / "bin").mkdir(parents=True)
    with pytest.raises(RasaEnvironmentError) as raised:
        find_python310(path_env=str(tmp_path / "bin"), pyenv_root=tmp_path)
    message = str(raised.value)
    assert "Python 3.10 is missing" in message
    assert "pyenv install 3.10" in message and "nlu.rasa_python" in message
    assert "builtin NLU engine" in message


def test_an_explicit_python_of_another_version_is_refused() -> None:
    with pytest.raises(RasaEnvironmentError, match=r"is Python 3\.11, but Rasa 3\.6 needs"):
        find_python310(Path(sys.executable))


def test_an_explicit_python_that_does_not_exist_is_missing(tmp_path: Path) -> None:
    with pytest.raises(RasaEnvironmentError, match=r"Python 3\.10 is missing"):
        find_python310(tmp_path / "python3.10")


def test_rasa_processes_keep_their_files_out_of_the_users_home(tmp_path: Path) -> None:
    env = rasa_process_env(tmp_path / "home", {"HOME": "/root", "PYTHONPATH": "/work/desk"})
    assert env["HOME"] == str(tmp_path / "home")
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["MPLCONFIGDIR"].startswith(str(tmp_path / "home"))
    assert "PYTHONPATH" not in env


def test_the_stamp_holds_the_requirements_hash(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "rasa").write_text("#!/bin/sh\n")
    assert not is_installed(venv)
    (venv / STAMP_NAME).write_text("an older list\n")
    assert not is_installed(venv)
    (venv / STAMP_NAME).write_text(requirements_hash() + "\n")
    assert is_installed(venv)


def test_the_generated_nlu_data_reads_back_as_the_same_examples(tmp_path: Path) -> None:
    examples = load_training_data(BUNDLED_NLU_DATA)
    files = project_files(examples)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert load_training_data(tmp_path / "data" / "nlu.yml") == examples
    assert "DIETClassifier" in files["config.yml"] and "language: it" in files["config.yml"]
    assert "- report_need" in files["domain.yml"]


def test_any_change_of_the_data_changes_the_hash() -> None:
    examples = [Example("ciao", "greet"), Example("grazie", "thanks")]
    base = project_hash(project_files(examples), requirements="r")
    assert project_hash(project_files(examples), requirements="r") == base
    changed = [Example("ciao!", "greet"), Example("grazie", "thanks")]
    assert project_hash(project_files(changed), requirements="r") != base
    assert project_hash(project_files(examples), requirements="r2") != base
    assert render_nlu([Example("ciao   a  tutti", "greet")]).endswith("    - ciao a tutti\n")


def test_a_recorded_model_counts_only_while_its_file_exists(tmp_path: Path) -> None:
    assert recorded_model(tmp_path) is None
    (tmp_path / STATE_FILE).write_text("{not json")
    assert recorded_model(tmp_path) is None
    (tmp_path / STATE_FILE).write_text(
        json.dumps({"model": "models/m.tar.gz", "hash": "h", "seconds": 1.5})
    )
    assert recorded_model(tmp_path) is None
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.tar.gz").write_bytes(b"model")
    found = recorded_model(tmp_path)
    assert found is not None and found.data_hash == "h" and not found.trained


@pytest.mark.integration
def test_cli_without_python_310_says_what_is_missing_and_builds_nothing(tmp_path: Path) -> None:
    env = {
        "SPORTELLO__DATA_DIR": str(tmp_path),
        "SPORTELLO__NLU__RASA_PYTHON": str(tmp_path / "nowhere" / "python3.10"),
    }
    result = run_cli("nlu", "rasa-setup", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("errore: Python 3.10 is missing")
    assert not (tmp_path / "rasa" / "venv").exists()


@pytest.mark.integration
def test_cli_train_and_serve_need_the_previous_step(tmp_path: Path) -> None:
    paths = RasaPaths(root=tmp_path / "rasa", venv=tmp_path / "rasa" / "venv")
    env = {"SPORTELLO__DATA_DIR": str(tmp_path)}
    train = run_cli("nlu", "train", "--backend", "rasa", env=env)
    assert train.returncode == 2
    assert f"Rasa is not installed in {paths.venv}" in train.stderr
    assert "sportello nlu rasa-setup" in train.stderr
    serve = run_cli("nlu", "serve-rasa", env=env)
    assert serve.returncode == 2
    assert "no trained Rasa model" in serve.stderr
    assert "sportello nlu train --backend rasa" in serve.stderr


@pytest.mark.integration
def test_eval_nlu_on_rasa_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {"SPORTELLO__DATA_DIR": str(tmp_path), "SPORTELLO__NLU__RASA_URL": url}
    result = run_cli("eval", "nlu", "--backend", "rasa", env=env)
    assert result.returncode == 2
    assert f"no Rasa server answers at {url}" in result.stderr
    assert "sportello nlu serve-rasa" in result.stderr


def test_training_progress_reports_diets_epoch_bar_every_tenth() -> None:
    script = (
        "import sys\n"
        "print('2026 INFO loading data', flush=True)\n"
        "for i in range(0, 51):\n"
        "    sys.stderr.write(f'\\rEpochs: {i * 2}%|###| {i}/50 [00:01<00:00, t_loss=1.0]')\n"
        "sys.stderr.write('\\n')\n"
        "print('Your Rasa model is trained')\n"
        "sys.exit(3)\n"
    )
    seen: list[str] = []
    code, output = _run_training([sys.executable, "-c", script], Path.cwd(), {}, seen.append)
    assert code == 3
    assert seen == [f"    DIET epoch {n}/50" for n in (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50)]
    assert output == ["2026 INFO loading data", "Your Rasa model is trained"]
