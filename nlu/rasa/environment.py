"""Rasa's own Python environment: found, built once, never mixed with the desk's.

Rasa 3.6 runs only on Python 3.10 and pins TensorFlow 2.12, SQLAlchemy 1.4 and a hundred other
packages the desk (Python 3.11, SQLAlchemy 2) cannot share, so it lives in a virtual
environment of its own and the desk talks to it only through processes and HTTP. The packages
are pinned in `requirements.txt` next to this module (a resolved set that installs cleanly);
a stamp file holding the hash of that list makes a second `setup` a no-op and a changed list
a reinstall.

Rasa writes into the home folder (`~/.config/rasa` for telemetry, `~/.keras`, matplotlib's
cache), so every Rasa process gets `HOME` inside the desk's data directory and telemetry off:
nothing of it lands in the operator's home.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sportello.errors import SportelloError

REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"
"""Every package of Rasa's environment, pinned; `rasa==3.6.21` is the one that matters."""
PYTHON_VERSION = (3, 10)
STAMP_NAME = ".sportello-installed"

Progress = Callable[[str], None]


class RasaEnvironmentError(SportelloError, RuntimeError):
    """Rasa's environment cannot be found or built; the message names what is missing."""


@dataclass(frozen=True)
class RasaPaths:
    """Where Rasa's files live, all under one folder of the desk's data directory by default.

    `venv` may be elsewhere (a setting): CI keeps one built environment in a cache outside the
    repository and points every run at it.
    """

    root: Path
    venv: Path

    @property
    def home(self) -> Path:
        """`HOME` of Rasa's processes: where its config, Keras and matplotlib files go."""
        return self.root / "home"

    @property
    def project(self) -> Path:
        """The generated Rasa project (config, domain, data) and its trained models."""
        return self.root / "project"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def rasa(self) -> Path:
        return self.venv / "bin" / "rasa"


def requirements_hash(requirements: Path = REQUIREMENTS) -> str:
    return hashlib.sha256(requirements.read_bytes()).hexdigest()


def rasa_process_env(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every Rasa process: its own HOME, no telemetry, quiet TensorFlow."""
    env = dict(os.environ if base is None else base)
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
            "KERAS_HOME": str(home / ".keras"),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore",
            "PYTHONNOUSERSITE": "1",
        }
    )
    # The desk's own interpreter settings must not leak into Rasa's Python 3.10.
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def python_version(executable: Path) -> tuple[int, int] | None:
    """(major, minor) of an interpreter, or None when it does not run."""
    try:
        done = subprocess.run(
            [str(executable), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    parts = done.stdout.split()
    if done.returncode != 0 or len(parts) != 2:
        return None
    return int(parts[0]), int(parts[1])


def _candidates(path_env: str, pyenv_root: Path | None) -> Iterator[Path]:
    for folder in path_env.split(os.pathsep):
        if folder:
            yield Path(folder) / "python3.10"
    if pyenv_root is not None and (pyenv_root / "versions").is_dir():
        versions = sorted((pyenv_root / "versions").glob("3.10*"), reverse=True)
        for version in versions:
            yield version / "bin" / "python3.10"


def default_pyenv_root() -> Path | None:
    explicit = os.environ.get("PYENV_ROOT")
    if explicit:
        return Path(explicit)
    guess = Path.home() / ".pyenv"
    return guess if guess.is_dir() else None


def find_python310(
    explicit: Path | None = None,
    *,
    path_env: str | None = None,
    pyenv_root: Path | None = None,
) -> Path:
    """The Python 3.10 interpreter Rasa's environment is built with.

    An explicit path (the `nlu.rasa_python` setting) must be a 3.10; otherwise `python3.10`
    on the PATH, then pyenv's 3.10 versions. The error says what was looked for and how to
    get one, since without it the desk simply stays on its builtin engine.
    """
    if explicit is not None:
        if not explicit.is_absolute() and (found := shutil.which(str(explicit))):
            explicit = Path(found)
        version = python_version(explicit)
        if version is None:
            raise RasaEnvironmentError(
                f"Python 3.10 is missing: {explicit} (nlu.rasa_python) does not run — point"
                " nlu.rasa_python (SPORTELLO__NLU__RASA_PYTHON) at a python3.10 executable;"
                " the desk keeps using its builtin NLU engine"
            )
        if version != PYTHON_VERSION:
            raise RasaEnvironmentError(
                f"{explicit} (nlu.rasa_python) is Python {version[0]}.{version[1]}, but Rasa 3.6"
                " needs Python 3.10 — point nlu.rasa_python at a python3.10 executable;"
                " the desk keeps using its builtin NLU engine"
            )
        return explicit
    searched = os.environ.get("PATH", "") if path_env is None else path_env
    for candidate in _candidates(searched, pyenv_root):
        if candidate.is_file() and python_version(candidate) == PYTHON_VERSION:
            return candidate
    where = "python3.10 on the PATH" + (
        f" or under {pyenv_root}/versions/3.10*" if pyenv_root else ""
    )
    raise RasaEnvironmentError(
        f"Python 3.10 is missing (looked for {where}): Rasa 3.6 runs only on Python 3.10 —"
        " install it (e.g. `pyenv install 3.10.13` or the python3.10 and python3.10-venv"
        " packages) or set nlu.rasa_python (SPORTELLO__NLU__RASA_PYTHON) to its path;"
        " the desk keeps using its builtin NLU engine"
    )


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`, so two processes never build the same folder at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_installed(venv: Path, requirements: Path = REQUIREMENTS) -> bool:
    stamp = venv / STAMP_NAME
    return (
        (venv / "bin" / "rasa").is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == requirements_hash(requirements)
    )


def setup_environment(
    paths: RasaPaths,
    *,
    python: Path,
    requirements: Path = REQUIREMENTS,
    progress: Progress = print,
) -> bool:
    """Create the venv and install the pinned packages; False when it was already up to date.

    Idempotent: the stamp holds the hash of the requirements, so an unchanged list costs one
    file read. A changed list reinstalls into the same venv (pip keeps what still matches);
    a venv of another Python is rebuilt from scratch.
    """
    with file_lock(paths.venv.parent / f".{paths.venv.name}.lock"):
        if is_installed(paths.venv, requirements):
            return False
        if paths.python.exists() and python_version(paths.python) != PYTHON_VERSION:
            progress(f"removing {paths.venv}: not a Python 3.10 environment")
            shutil.rmtree(paths.venv)
        if not paths.python.exists():
            progress(f"[1/3] creating a Python 3.10 virtual environment in {paths.venv}")
            _run([str(python), "-m", "venv", str(paths.venv)], "creating the venv", progress)
        env = rasa_process_env(paths.home)
        progress("[2/3] upgrading pip")
        _run(
            [str(paths.python), "-m", "pip", "install", "--upgrade", "pip==24.2"],
            "upgrading pip",
            progress,
            env=env,
        )
        progress(f"[3/3] installing {_headline(requirements)} and its pinned dependencies")
        _run(
            [
                str(paths.python),
                "-m",
                "pip",
                "install",
                "--no-input",
                "--progress-bar",
                "off",
                "-r",
                str(requirements),
            ],
            "installing Rasa",
            progress,
            env=env,
        )
        (paths.venv / STAMP_NAME).write_text(requirements_hash(requirements) + "\n")
        progress(f"Rasa environment ready: {paths.venv}")
        return True


def _headline(requirements: Path) -> str:
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if re.match(r"rasa==", line.strip()):
            return line.strip()
    return "Rasa"


def _run(
    command: Sequence[str],
    what: str,
    progress: Progress,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run a step, streaming pip's one-line-per-package output as progress."""
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=None if env is None else dict(env),
    ) as process:
        assert process.stdout is not None
        tail: list[str] = []
        for line in process.stdout:
            line = line.rstrip()
            tail = [*tail[-19:], line]
            if line.startswith(("Collecting", "Installing", "Successfully")):
                progress(f"    {line}")
        code = process.wait()
    if code != 0:
        detail = "\n".join(tail)
        raise RasaEnvironmentError(
            f"{what} failed (exit {code}) — the last lines were:\n{detail}\n"
            "check the network access to the package index; the desk keeps using its"
            " builtin NLU engine"
        )


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
