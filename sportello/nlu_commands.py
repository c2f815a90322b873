"""`sportello nlu …`: set up, train and serve the Rasa engine; pick the engine `eval nlu` measures.

Kept apart from `sportello.cli` because none of it is needed to run the desk on the builtin
engine, and the Rasa parts (a Python 3.10 venv, minutes of training, a server) have their own
failure modes: each is reported as one `errore:` line that names what is missing, and the
desk's own engine is never affected.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from types import FrameType
from typing import Any

import httpx

from nlu import BUNDLED_NLU_DATA, load_training_data
from nlu.rasa.environment import (
    RasaEnvironmentError,
    RasaPaths,
    default_pyenv_root,
    find_python310,
    setup_environment,
    stderr_progress,
)
from sportello.settings import Settings

EXIT_OK, EXIT_USAGE = 0, 2
BACKENDS = ("builtin", "rasa")


def rasa_paths(settings: Settings) -> RasaPaths:
    """Rasa's folder in the data directory; the venv where `nlu.rasa_venv` says, if set."""
    root = settings.data_dir / "rasa"
    return RasaPaths(root=root, venv=settings.nlu.rasa_venv or root / "venv")


def add_nlu_commands(commands: Any) -> None:
    """Register `sportello nlu rasa-setup | train | serve-rasa` on the CLI's subcommands."""
    nlu = commands.add_parser("nlu", help="intent engines (builtin, Rasa)").add_subparsers(
        title="nlu commands"
    )
    setup = nlu.add_parser(
        "rasa-setup", help="build Rasa's own Python 3.10 environment (minutes, once)"
    )
    setup.set_defaults(run=_rasa_setup)
    train = nlu.add_parser("train", help="train an engine on the NLU data")
    train.add_argument("--backend", choices=BACKENDS, default="builtin")
    train.add_argument("--force", action="store_true", help="retrain even if up to date")
    train.set_defaults(run=_train)
    serve = nlu.add_parser(
        "serve-rasa", help="run the Rasa server on nlu.rasa_url in the foreground (Ctrl-C stops)"
    )
    serve.set_defaults(run=_serve_rasa)


def add_backend_option(eval_nlu: argparse.ArgumentParser) -> None:
    eval_nlu.add_argument(
        "--backend",
        choices=BACKENDS,
        default="builtin",
        help="builtin (in process) or rasa (the server at nlu.rasa_url, no fallback)",
    )


def _failing(run: Any) -> Any:
    """Rasa's set-up errors as one `errore:` line and exit 2, like every user error."""

    def wrapped(args: argparse.Namespace, settings: Settings) -> int:
        try:
            code: int = run(args, settings)
            return code
        except RasaEnvironmentError as exc:
            print(f"errore: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return wrapped


@_failing
def _rasa_setup(args: argparse.Namespace, settings: Settings) -> int:
    paths = rasa_paths(settings)
    started = time.perf_counter()
    python = find_python310(settings.nlu.rasa_python, pyenv_root=default_pyenv_root())
    stderr_progress(f"Python 3.10: {python}")
    built = setup_environment(paths, python=python, progress=stderr_progress)
    if built:
        print(f"Rasa environment built in {time.perf_counter() - started:.0f} s: {paths.venv}")
    else:
        print(f"Rasa environment already up to date: {paths.venv}")
    return EXIT_OK


@_failing
def _train(args: argparse.Namespace, settings: Settings) -> int:
    examples = load_training_data(settings.nlu.data_file or BUNDLED_NLU_DATA)
    if args.backend == "builtin":
        from knowledge import build_encoder
        from nlu import BuiltinIntentClassifier

        started = time.perf_counter()
        BuiltinIntentClassifier(examples, build_encoder(settings.encoder))
        print(
            f"builtin classifier trained on {len(examples)} examples in"
            f" {time.perf_counter() - started:.1f} s (it trains like this at every start:"
            " there is no model file)"
        )
        return EXIT_OK
    from nlu.rasa.project import train

    model = train(rasa_paths(settings), examples, force=args.force, progress=stderr_progress)
    state = "trained" if model.trained else "already up to date"
    print(f"Rasa model {state}: {model.path}")
    return EXIT_OK


@_failing
def _serve_rasa(args: argparse.Namespace, settings: Settings) -> int:
    from nlu.rasa.project import recorded_model
    from nlu.rasa.server import RasaServer

    paths = rasa_paths(settings)
    model = recorded_model(paths.project)
    if model is None:
        raise RasaEnvironmentError(
            f"no trained Rasa model in {paths.project} — run `sportello nlu train --backend rasa`"
        )
    server = RasaServer(paths, model.path, settings.nlu.rasa_url)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        stderr_progress(f"starting the Rasa server on {server.url} (30 s or more)...")
        server.start()
        print(f"Rasa server ready on {server.url}, model {model.path.name}; Ctrl-C stops it")
        print(f"log: {paths.root / 'server.log'}", flush=True)
        code = server.wait()
        print(f"the Rasa server stopped by itself (exit {code})", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("stopping the Rasa server...", file=sys.stderr)
        return EXIT_OK
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def eval_classifier(settings: Settings, backend: str) -> Any:
    """The classifier `eval nlu` measures: builtin in process, or the Rasa server without fallback.

    Rasa is measured alone: a fallback would hide its misses behind the builtin's answers.
    """
    examples = load_training_data(settings.nlu.data_file or BUNDLED_NLU_DATA)
    if backend == "builtin":
        from knowledge import build_encoder
        from nlu import BuiltinIntentClassifier

        return BuiltinIntentClassifier(examples, build_encoder(settings.encoder))
    from nlu.rasa.client import RasaIntentClassifier

    url = settings.nlu.rasa_url
    try:
        ready = httpx.get(f"{url.rstrip('/')}/status", timeout=5.0).status_code == 200
    except httpx.HTTPError:
        ready = False
    if not ready:
        raise RasaEnvironmentError(
            f"no Rasa server answers at {url} (nlu.rasa_url) — start it with"
            " `sportello nlu serve-rasa`"
        )
    intents = sorted({example.intent for example in examples})
    # a generous timeout: this measures Rasa's answers, not the desk's patience
    return RasaIntentClassifier(url, intents, timeout=30.0, retries=0)
