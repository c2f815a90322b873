"""A local Rasa server: `rasa run --enable-api` on a trained model, started and stopped cleanly.

Used by `sportello nlu serve-rasa` (in the foreground), the benchmark and the integration test.
The server runs in a process group of its own, so stopping it (SIGTERM, then SIGKILL if it does
not go within a few seconds) takes Rasa's helper processes with it and never anything else.
It is ready when `/status` answers with the model loaded: loading TensorFlow and the model
takes some 25 s on two cores.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from nlu.rasa.environment import RasaEnvironmentError, RasaPaths, rasa_process_env

START_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 15.0


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise RasaEnvironmentError(
            f"nlu.rasa_url {url!r} is not an http://host:port URL — e.g. http://127.0.0.1:5005"
        )
    return parts.hostname, parts.port or 80


def server_command(paths: RasaPaths, model: Path, host: str, port: int) -> list[str]:
    return [
        str(paths.rasa),
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--interface",
        host,
        "--port",
        str(port),
    ]


class RasaServer:
    """One `rasa run` process; a context manager that waits until it serves and stops it."""

    def __init__(
        self, paths: RasaPaths, model: Path, url: str, log_file: Path | None = None
    ) -> None:
        self._paths = paths
        self._model = model
        self._url = url.rstrip("/")
        self._host, self._port = host_and_port(url)
        self._log_file = log_file or paths.root / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self._url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        if not self._paths.rasa.is_file():
            raise RasaEnvironmentError(
                f"Rasa is not installed in {self._paths.venv} — run `sportello nlu rasa-setup`"
            )
        if not self._model.is_file():
            raise RasaEnvironmentError(
                f"no trained Rasa model at {self._model} — run `sportello nlu train --backend rasa`"
            )
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        with self._log_file.open("ab") as log:
            self._process = subprocess.Popen(
                server_command(self._paths, self._model, self._host, self._port),
                cwd=self._paths.project if self._paths.project.is_dir() else self._paths.root,
                env=rasa_process_env(self._paths.home),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self._url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self._process is not None
                if self._process.poll() is not None:
                    code = self._process.returncode
                    self._process = None
                    raise RasaEnvironmentError(
                        f"the Rasa server stopped at start-up (exit {code}) — see {self._log_file}"
                    )
                try:
                    status = client.get("/status")
                    if status.status_code == 200 and status.json().get("model_file"):
                        return
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.5)
        self.stop()
        raise RasaEnvironmentError(
            f"the Rasa server did not answer within {timeout:.0f} s — see {self._log_file}"
        )

    def wait(self) -> int:
        """Block until the server ends by itself; its exit code."""
        assert self._process is not None
        return self._process.wait()

    def rss_bytes(self) -> int:
        """Resident memory of the server and its child processes (Linux /proc)."""
        if self._process is None:
            return 0
        return process_tree_rss(self._process.pid)

    def kill(self) -> None:
        """Stop at once, as a crash would: SIGKILL to the whole process group."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._process = None

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it is still there after a while."""
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self._process = None

    def __enter__(self) -> RasaServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def process_tree_rss(pid: int) -> int:
    """Resident set size in bytes of `pid` and its descendants, read from /proc."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        pending.extend(int(child) for child in children)
    return total
