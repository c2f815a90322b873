"""The `sportello` command.

Exit codes: 0 success, 1 the checked thing has problems (`kb check`), 2 the command cannot run
as asked (bad arguments, empty question, unreadable file, bad configuration).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.settings import BotConfigurationError
from knowledge import (
    AUDIENCES,
    EncoderUnavailable,
    KnowledgeBaseError,
    QueryError,
    SearchResult,
    build_encoder,
    check_knowledge_base,
    evaluate_retrieval,
    read_labelled_queries,
)
from knowledge.evaluation import LabelledFileError
from knowledge.topics import TopicsError
from sportello.logs import configure_logging
from sportello.settings import Settings, SettingsError, load_settings
from sportello.wiring import build_search, open_knowledge_base

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
DEFAULT_EVAL_FILE = Path(__file__).resolve().parents[1] / "bench" / "data" / "heldout_queries.tsv"

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot 22: time values as timedelta now, as its next major version will.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(args.config)
        configure_logging(settings.log_level)
        code: int = args.run(args, settings)
        return code
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _user_errors() -> tuple[type[Exception], ...]:
    """Errors a user can fix from the message alone: printed, not a traceback.

    Storage and NLU are imported here, on the error path, so that commands which never touch
    them (kb, ask, eval retrieval) start without loading their libraries.
    """
    from nlu import NluDataError
    from storage import StorageError

    return (
        SettingsError,
        KnowledgeBaseError,
        TopicsError,
        EncoderUnavailable,
        LabelledFileError,
        BotConfigurationError,
        StorageError,
        NluDataError,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sportello", description="Sportello Welfare: help desk for corporate welfare."
    )
    parser.add_argument("--config", type=Path, help="config file (default: ./config.yml)")
    commands = parser.add_subparsers(title="commands")

    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(title="kb commands")
    check = kb.add_parser("check", help="validate every entry and topic coverage")
    check.add_argument("--today", type=dt.date.fromisoformat, help="date for expiry checks")
    check.set_defaults(run=_kb_check)
    build = kb.add_parser("build", help="build (or refresh) the search index")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.set_defaults(run=_kb_build)

    ask = commands.add_parser("ask", help="ask the desk a question")
    ask.add_argument("question")
    ask.add_argument("--audience", choices=[a for a in AUDIENCES if a != "both"])
    ask.add_argument("-k", type=_positive, default=3, help="hits to show (default 3)")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="evaluate").add_subparsers(title="eval commands")
    for name, summary, columns, default, handler in (
        ("retrieval", "recall@1/@3 and MRR", "topic<TAB>query", DEFAULT_EVAL_FILE, _eval_retrieval),
        (
            "nlu",
            "intent accuracy and per-intent precision/recall",
            "intent<TAB>text",
            None,
            _eval_nlu,
        ),
    ):
        sub = evaluate.add_parser(name, help=f"{summary} on a labelled TSV")
        sub.add_argument(
            "file",
            type=Path,
            nargs="?",
            default=default,
            help=f"TSV with header {columns} (default: the project's held-out set)",
        )
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(run=handler)

    chat = commands.add_parser("chat", help="talk to the desk in this terminal (no Telegram)")
    chat.set_defaults(run=_chat)
    run = commands.add_parser("run", help="start the Telegram bot (token from the environment)")
    run.set_defaults(run=_run)

    housekeeping = commands.add_parser(
        "housekeeping", help="enforce retention now (the bot also does it every hour)"
    )
    housekeeping.set_defaults(run=_housekeeping)

    db = commands.add_parser("db", help="database").add_subparsers(title="db commands")
    upgrade = db.add_parser("upgrade", help="migrate the database to the current schema")
    upgrade.set_defaults(run=_db_upgrade)

    companies = commands.add_parser("companies", help="companies of the network").add_subparsers(
        title="companies commands"
    )
    add = companies.add_parser("add", help="register a company and its code")
    add.add_argument("code", help="the code workers type or get in a /start link")
    add.add_argument("name")
    add.set_defaults(run=_companies_add)
    listing = companies.add_parser("list", help="list companies")
    listing.set_defaults(run=_companies_list)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _kb_check(args: argparse.Namespace, settings: Settings) -> int:
    report = check_knowledge_base(
        settings.knowledge.base_dir, settings.knowledge.topics_file, args.today
    )
    for problem in report.problems:
        print(problem)
    topics = {e.topic for e in report.entries}
    print(
        f"{len(report.entries)} entries, {len(topics)} topics covered:"
        f" {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    )
    return EXIT_PROBLEMS if report.errors else EXIT_OK


def _kb_build(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    retriever = build_search(settings, progress=True, rebuild=args.force)
    print(
        f"index ready: {len(retriever.entries)} entries in"
        f" {time.perf_counter() - started:.1f} s ({settings.data_dir / 'index'})"
    )
    return EXIT_OK


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    retriever = build_search(settings, progress=sys.stderr.isatty())
    try:
        result = retriever.search(args.question, audience=args.audience, k=args.k)
    except QueryError as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
    else:
        print(_result_text(result))
    return EXIT_OK


def _result_json(result: SearchResult) -> dict[str, object]:
    best = result.candidates[0].entry if result.decision == "answer" else None
    return {
        "query": result.query,
        "truncated": result.truncated,
        "decision": result.decision,
        "hits": [
            {
                "id": h.entry.id,
                "topic": h.entry.topic,
                "title": h.entry.title,
                "score": round(h.score, 4),
                "similarity": round(h.similarity, 4),
            }
            for h in result.hits
        ],
        "candidates": [h.entry.id for h in result.candidates],
        "answer": best.answer if best else None,
        "sources": list(best.sources) if best else [],
    }


def _result_text(result: SearchResult) -> str:
    lines = [
        f"decision: {result.decision}" + ("  (question truncated)" if result.truncated else "")
    ]
    for rank, hit in enumerate(result.hits, start=1):
        lines.append(
            f"{rank}. {hit.entry.id}  [{hit.entry.topic}]  {hit.entry.title}"
            f"  score={hit.score:.3f} sim={hit.similarity:.3f}"
        )
    lines.append("")
    if result.decision == "answer":
        entry = result.candidates[0].entry
        lines += [entry.title, "", entry.answer, "", "Fonti: " + "; ".join(entry.sources)]
    elif result.decision == "clarify":
        lines.append("Vuoi sapere di uno di questi argomenti?")
        lines += [f"- {hit.entry.title}" for hit in result.candidates]
    else:
        lines.append(
            "Non ho trovato una risposta sicura alla tua domanda. Posso passarti a una persona"
            " dello sportello: scrivi /operatore."
        )
    return "\n".join(lines)


def _eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    kb = open_knowledge_base(settings)
    queries = read_labelled_queries(args.file, known_labels=list(kb.topics))
    retriever = build_search(settings, kb=kb, progress=sys.stderr.isatty())
    report = evaluate_retrieval(queries, retriever.search)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"file: {args.file}")
    print(
        f"n={report.n}  recall@1={report.recall_at_1:.3f}  recall@3={report.recall_at_3:.3f}"
        f"  MRR={report.mrr:.3f}  latency p50={report.latency_ms_p50:.1f} ms"
        f" p95={report.latency_ms_p95:.1f} ms"
    )
    if report.misses:
        print(f"misses ({len(report.misses)}):")
        for miss in report.misses:
            rank = miss.rank if miss.rank is not None else ">10"
            print(f"  [{miss.expected} → {miss.got}, rank {rank}] {miss.query}")
    return EXIT_OK


def _eval_nlu(args: argparse.Namespace, settings: Settings) -> int:
    from nlu import BUNDLED_HELDOUT, evaluate_nlu, read_labelled_examples
    from sportello.desk import build_intent_classifier

    encoder = build_encoder(settings.encoder)
    classifier = build_intent_classifier(settings, encoder)
    path = args.file or BUNDLED_HELDOUT
    report = evaluate_nlu(read_labelled_examples(path), classifier)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"file: {path}")
    print(f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}")
    print(f"{'intent':<18}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}")
    for intent, scores in report.per_intent.items():
        print(
            f"{intent:<18}{scores.precision:>10.3f}{scores.recall:>8.3f}"
            f"{scores.f1:>7.3f}{scores.support:>5}"
        )
    if report.confusions:
        print(f"confusions ({len(report.confusions)}):")
        for expected, predicted, text in report.confusions:
            print(f"  [{expected} → {predicted}] {text}")
    return EXIT_OK


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from sportello.desk import build_desk
    from sportello.terminal import run_chat

    desk = build_desk(settings, progress=sys.stderr.isatty())
    try:
        run_chat(desk.engine, export_dir=settings.data_dir / "export")
    except KeyboardInterrupt:
        print()
    finally:
        desk.close()
    return EXIT_OK


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import DeskBot, run_bot
    from handlers import TurnDispatcher

    if settings.telegram.token is None:
        print("errore: manca il token del bot: imposta SPORTELLO__TELEGRAM__TOKEN", file=sys.stderr)
        return EXIT_USAGE
    processes = settings.workers.processes
    if processes == 0:
        from sportello.desk import build_desk

        desk = build_desk(settings, progress=sys.stderr.isatty())
        dispatcher = TurnDispatcher.in_process(desk.engine, settings.workers.max_batch)
        desk_bot = DeskBot(
            dispatcher, settings.telegram, on_shutdown=desk.close, outbox=desk.database
        )
        run_bot(desk_bot, settings.telegram)
        return EXIT_OK
    from sportello.desk import open_database, prepare_shared_state
    from sportello.workers import start_workers

    prepare_shared_state(settings)
    lanes = start_workers(settings, processes)
    dispatcher = TurnDispatcher(lanes, settings.workers.max_batch)
    outbox = open_database(settings)  # the bot process records deliveries itself
    desk_bot = DeskBot(dispatcher, settings.telegram, on_shutdown=outbox.dispose, outbox=outbox)
    run_bot(desk_bot, settings.telegram)
    return EXIT_OK


def _housekeeping(args: argparse.Namespace, settings: Settings) -> int:
    from sportello.desk import build_desk

    desk = build_desk(settings)
    try:
        done = desk.engine.housekeeping(_now())
    finally:
        desk.close()
    print(
        f"{done['texts_purged']} expired question texts purged,"
        f" {done['updates_pruned']} old update ids pruned,"
        f" {done['unconsented_erased']} never-consented users erased,"
        f" {done['outbox_pruned']} delivered messages forgotten"
    )
    return EXIT_OK


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from sportello.desk import open_database

    database = open_database(settings)
    print(f"database {database.url} is at the current schema")
    database.dispose()
    return EXIT_OK


def _companies_add(args: argparse.Namespace, settings: Settings) -> int:
    from sportello.desk import open_database
    from storage import add_company

    database = open_database(settings)
    try:
        with database.session() as session:
            company = add_company(session, code=args.code, name=args.name, now=_now())
            print(f"added {company.code}: {company.name}")
    except ValueError as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        database.dispose()
    return EXIT_OK


def _companies_list(args: argparse.Namespace, settings: Settings) -> int:
    from sportello.desk import open_database
    from storage import list_companies

    database = open_database(settings)
    with database.session() as session:
        for company in list_companies(session):
            print(f"{company.code}\t{company.name}")
    database.dispose()
    return EXIT_OK


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


if __name__ == "__main__":
    raise SystemExit(main())
