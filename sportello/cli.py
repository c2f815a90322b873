"""The `sportello` command.

Exit codes: 0 success, 1 the checked thing has problems (`kb check`), 2 the command cannot run
as asked (bad arguments, empty question, unreadable file, bad configuration).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge import (
    AUDIENCES,
    QueryError,
    RetrievalReport,
    SearchResult,
    check_knowledge_base,
    evaluate_retrieval,
    read_labelled_queries,
)
from knowledge.evaluation import by_language, percentile
from sportello.errors import SportelloError
from sportello.escalation_commands import add_escalation_commands
from sportello.files import PRIVATE_UMASK
from sportello.i18n_commands import add_i18n_commands
from sportello.logs import configure_logging
from sportello.nlu_commands import add_backend_option, add_nlu_commands, eval_classifier
from sportello.settings import Settings, load_settings
from sportello.wiring import build_search, open_knowledge_base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
BENCH_DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
DEFAULT_EVAL_FILE = BENCH_DATA / "heldout_queries.tsv"
DEFAULT_DIALOGUE_FILE = BENCH_DATA / "dialogue_heldout.tsv"

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot 22: time values as timedelta now, as its next major version will.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    os.umask(PRIVATE_UMASK)  # every file the desk writes (database, index, exports) is private
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(args.config)
        configure_logging(settings.log_level, settings.secret_values())
        code: int = args.run(args, settings)
        return code
    except SportelloError as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sportello", description="Sportello Welfare: help desk for corporate welfare."
    )
    parser.add_argument("--config", type=Path, help="config file (default: ./config.yml)")
    commands = parser.add_subparsers(title="commands")

    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(title="kb commands")
    check = kb.add_parser("check", help="validate every entry and topic coverage")
    check.add_argument("--today", type=dt.date.fromisoformat, help="date for expiry checks")
    check.add_argument(
        "--strict",
        action="store_true",
        help="warnings (expired or expiring entries, long answers) count as errors",
    )
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
        if name == "nlu":
            add_backend_option(sub)

    dialogue = evaluate.add_parser(
        "dialogue",
        help="play each message as a new user's first question through the real engine",
    )
    dialogue.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=DEFAULT_DIALOGUE_FILE,
        help="TSV with header topic<TAB>query; topic '-' for messages that must not get a"
        " welfare answer (default: the project's held-out dialogue set)",
    )
    dialogue.add_argument(
        "--role", choices=["worker", "company"], default="worker", help="who the users say they are"
    )
    dialogue.add_argument("--json", action="store_true")
    dialogue.set_defaults(run=_eval_dialogue)

    add_nlu_commands(commands)  # nlu rasa-setup | train | serve-rasa

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
    _add_needs_commands(commands, companies)
    add_escalation_commands(commands, _now)  # managers add|list|remove, tickets list|show
    add_i18n_commands(commands)  # i18n check|stamp: interface translations out of date
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _kb_check(args: argparse.Namespace, settings: Settings) -> int:
    report = check_knowledge_base(
        settings.knowledge.base_dir,
        settings.knowledge.topics_file,
        args.today,
        phrasings_dir=settings.knowledge.phrasings_dir,
    )
    for problem in report.problems:
        print(problem)
    topics = {e.topic for e in report.entries if not e.is_referral}
    print(
        f"{len(report.entries)} entries, {len(topics)} topics covered:"
        f" {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    )
    failing = report.problems if args.strict else report.errors
    return EXIT_PROBLEMS if failing else EXIT_OK


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
    from nlu.language import default_detector

    detector = default_detector()

    first_latency: dict[str, float] = {}

    def search(text: str) -> SearchResult:
        # The desk's own path: detect the language (no hint), then search on its path.
        started = time.perf_counter()
        result = retriever.search(text, language=detector.detect(text).code)
        first_latency.setdefault(text, (time.perf_counter() - started) * 1000)
        return result

    report = evaluate_retrieval(queries, search)
    groups = by_language(queries)
    per_language: dict[str, RetrievalReport] = {}
    if len(groups) > 1 or "-" not in groups:
        for lang, group in groups.items():
            # Recalls from a second pass; latencies from the first (the second hits the cache).
            ordered = sorted(first_latency[q.text] for q in group)
            per_language[lang] = dataclasses.replace(
                evaluate_retrieval(group, search),
                latency_ms_p50=percentile(ordered, 50),
                latency_ms_p95=percentile(ordered, 95),
            )
    if args.json:
        payload = report.as_dict()
        if per_language:
            payload["languages"] = {lang: r.as_dict() for lang, r in per_language.items()}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"file: {args.file}")
    print(
        f"n={report.n}  recall@1={report.recall_at_1:.3f}  recall@3={report.recall_at_3:.3f}"
        f"  MRR={report.mrr:.3f}  latency p50={report.latency_ms_p50:.1f} ms"
        f" p95={report.latency_ms_p95:.1f} ms"
    )
    for lang, part in per_language.items():
        print(
            f"  {lang}: n={part.n}  recall@1={part.recall_at_1:.3f}"
            f"  recall@3={part.recall_at_3:.3f}  MRR={part.mrr:.3f}"
            f"  latency p50={part.latency_ms_p50:.1f} ms p95={part.latency_ms_p95:.1f} ms"
        )
    if report.misses:
        print(f"misses ({len(report.misses)}):")
        for miss in report.misses:
            rank = miss.rank if miss.rank is not None else ">10"
            print(f"  [{miss.expected} → {miss.got}, rank {rank}] {miss.query}")
    return EXIT_OK


def _eval_dialogue(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from handlers import DialogueEngine, Pseudonymizer
    from handlers.evaluation import evaluate_dialogue
    from knowledge.entries import NO_TOPIC
    from sportello.desk import build_intent_classifier
    from storage import Database

    kb = open_knowledge_base(settings)
    cases = read_labelled_queries(
        args.file,
        known_labels=[*kb.topics, NO_TOPIC],
        label_hint=f"use a key of topics.yml, or '{NO_TOPIC}' for a message that must not"
        " get a welfare answer",
    )
    retriever = build_search(settings, kb=kb, progress=sys.stderr.isatty())
    intents = build_intent_classifier(settings, retriever.encoder)
    with tempfile.TemporaryDirectory(prefix="sportello-eval-") as scratch:
        # a throwaway database and key: evaluation users never mix with real ones
        database = Database.from_url(f"sqlite:///{Path(scratch) / 'eval.db'}")
        database.upgrade()
        try:
            engine = DialogueEngine(
                database=database,
                retriever=retriever,
                intents=intents,
                pseudonymizer=Pseudonymizer(os.urandom(32)),
                settings=settings.dialogue,
            )
            report = evaluate_dialogue(
                engine, cases, {e.id: e.topic for e in kb.entries}, role=args.role, clock=_now
            )
        finally:
            database.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"file: {args.file}  (users onboarded as {args.role})")
    print(
        f"n={report.n}  in scope={report.in_scope}  out of scope={report.out_of_scope}\n"
        f"answered right={report.answered_right}  answered wrong={report.answered_wrong}"
        f"  clarified={report.clarified}  declined={report.declined}\n"
        f"wrong-answer rate={report.wrong_answer_rate:.3f}"
        f"  in-scope answered right={report.in_scope_answered_right_rate:.3f}"
    )
    if report.misses:
        print(f"not answered right ({len(report.misses)}):")
        for miss in report.misses:
            got = ", ".join(miss.got) or "-"
            print(f"  line {miss.line} [{miss.expected} → {miss.verdict}: {got}] {miss.query}")
    return EXIT_OK


def _eval_nlu(args: argparse.Namespace, settings: Settings) -> int:
    from nlu import BUNDLED_HELDOUT, evaluate_nlu, read_labelled_examples

    path = args.file or BUNDLED_HELDOUT
    examples = read_labelled_examples(path)
    report = evaluate_nlu(examples, eval_classifier(settings, args.backend))
    if args.json:
        print(
            json.dumps({"backend": args.backend, **report.as_dict()}, ensure_ascii=False, indent=2)
        )
        return EXIT_OK
    print(f"file: {path}  backend: {args.backend}")
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
    from bot.runner import check_mode
    from handlers import TurnDispatcher

    if settings.telegram.token is None:
        print("errore: manca il token del bot: imposta SPORTELLO__TELEGRAM__TOKEN", file=sys.stderr)
        return EXIT_USAGE
    check_mode(settings.telegram)  # a weak webhook secret stops here, before the engine starts
    if settings.workers.processes == 0:
        from sportello.desk import build_desk

        desk = build_desk(settings, progress=sys.stderr.isatty())
        dispatcher = TurnDispatcher(desk.engine, settings.workers.max_batch)
        desk_bot = DeskBot(
            dispatcher,
            settings.telegram,
            on_shutdown=desk.close,
            outbox=desk.database,
            escalation=settings.escalation,
        )
    else:
        from sportello.desk import open_database, prepare_shared_state
        from sportello.workers import EngineProcess

        prepare_shared_state(settings)
        worker = EngineProcess(settings)
        worker.start()
        outbox = open_database(settings)  # the bot process records deliveries itself

        def close() -> None:
            worker.close()
            outbox.dispose()

        dispatcher = TurnDispatcher(worker, settings.workers.max_batch)
        desk_bot = DeskBot(
            dispatcher,
            settings.telegram,
            on_shutdown=close,
            outbox=outbox,
            escalation=settings.escalation,
        )
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
        f" {done['pending_dropped']} stale pending questions dropped,"
        f" {done['inactive_erased']} inactive users erased,"
        f" {done['log_rows_folded']} old log rows folded into daily counts,"
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


# --- Needs analysis (issue 17): company plans, workforce data sets, the needs report ---------


def _add_needs_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    companies: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    from needs import SYNTH_FORMATS

    plan = companies.add_parser("plan", help="load a company's welfare plan from a YAML file")
    plan.add_argument("code")
    plan.add_argument("file", type=Path, help="YAML: measures, platform, credit, ... (README)")
    plan.set_defaults(run=_companies_plan)

    workforce = commands.add_parser(
        "workforce", help="company workforce data sets (no names)"
    ).add_subparsers(title="workforce commands")
    load = workforce.add_parser(
        "import", help="validate a CSV or XLSX data set and replace the company's previous one"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--company", required=True, help="the company's code")
    load.set_defaults(run=_workforce_import)
    synth = workforce.add_parser("synth", help="write a realistic synthetic data set")
    synth.add_argument("file", type=Path)
    synth.add_argument("--rows", type=_positive, default=500)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument(
        "--format",
        choices=SYNTH_FORMATS,
        default="csv",
        help="csv (UTF-8, comma), csv-excel (semicolon, Windows-1252) or xlsx",
    )
    synth.set_defaults(run=_workforce_synth)

    report = commands.add_parser("report", help="reports for companies").add_subparsers(
        title="report commands"
    )
    needs = report.add_parser(
        "needs", help="the company needs report: indicators, interviews, suggested measures"
    )
    needs.add_argument("--company", required=True)
    needs.add_argument("--format", choices=("json", "csv", "html"), default="json")
    needs.add_argument("--output", type=Path, help="write to this file instead of stdout")
    needs.add_argument("--by-site", action="store_true", help="add the breakdown by site")
    needs.set_defaults(run=_report_needs)


def _company_id(session: Session, code: str) -> int | None:
    from storage import find_company

    company = find_company(session, code=code)
    if company is None:
        print(
            f"errore: nessuna azienda con codice {code.strip().upper()!r}"
            " — vedi `sportello companies list`",
            file=sys.stderr,
        )
        return None
    return company.id


def _companies_plan(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge import load_topics
    from needs import PlanFileError, read_plan
    from sportello.desk import open_database
    from storage import set_company_plan

    try:
        plan = read_plan(args.file, load_topics(settings.knowledge.topics_file))
    except OSError as exc:
        print(f"errore: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except PlanFileError as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    database = open_database(settings)
    try:
        with database.session() as session:
            company_id = _company_id(session, args.code)
            if company_id is None:
                return EXIT_USAGE
            set_company_plan(session, company_id=company_id, plan=plan, now=_now())
    finally:
        database.dispose()
    print(f"plan of {args.code.strip().upper()}: {len(plan.topics)} measure(s) saved")
    return EXIT_OK


def _workforce_import(args: argparse.Namespace, settings: Settings) -> int:
    from needs import WorkforceFileError, read_workforce
    from sportello.desk import open_database
    from storage import replace_workforce

    database = open_database(settings)
    try:
        with database.session() as session:
            company_id = _company_id(session, args.company)
        if company_id is None:
            return EXIT_USAGE
        try:
            employees = read_workforce(args.file)
        except OSError as exc:
            print(f"errore: {args.file}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        except WorkforceFileError as exc:
            print(f"errore: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        with database.session() as session:
            rows = replace_workforce(
                session,
                company_id=company_id,
                rows=[e.as_row() for e in employees],
                now=_now(),
            )
    finally:
        database.dispose()
    print(f"imported {rows} row(s) for {args.company.strip().upper()} (previous data set replaced)")
    return EXIT_OK


def _workforce_synth(args: argparse.Namespace, settings: Settings) -> int:
    from needs import write_synth

    try:
        write_synth(args.file, args.rows, args.seed, args.format)
    except OSError as exc:
        print(f"errore: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.rows} synthetic employee(s) to {args.file} ({args.format})")
    return EXIT_OK


def _report_needs(args: argparse.Namespace, settings: Settings) -> int:
    from needs import Employee, TooFewPeople, build_report, render_csv, render_html
    from sportello.desk import open_database
    from storage import consented_interviews, find_company_plan, load_workforce

    k = settings.privacy.min_group_size
    database = open_database(settings)
    try:
        with database.session() as session:
            company_id = _company_id(session, args.company)
            if company_id is None:
                return EXIT_USAGE
            employees = [
                Employee.from_row(r) for r in load_workforce(session, company_id=company_id)
            ]
            interviews = consented_interviews(session, company_id=company_id)
            plan = find_company_plan(session, company_id=company_id)
    finally:
        database.dispose()
    code = args.company.strip().upper()
    if not employees and not interviews:
        print(
            f"errore: {code} has no workforce data set and no interviews yet"
            " — import one with `sportello workforce import FILE --company CODE`",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    entries_by_topic: dict[str, list[str]] = {}
    for entry in open_knowledge_base(settings).entries:
        if not entry.is_referral:
            entries_by_topic.setdefault(entry.topic, []).append(entry.id)
    try:
        report = build_report(
            company=code,
            employees=employees,
            interviews=interviews,
            k=k,
            entries_by_topic=entries_by_topic,
            plan_topics=plan.topics if plan else (),
            with_sites=args.by_site,
        )
    except TooFewPeople as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.format == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = render_csv(report)
    else:
        text = render_html(report, k=k, generated=_now().strftime("%d/%m/%Y"))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"report written to {args.output}")
    return EXIT_OK


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


if __name__ == "__main__":
    raise SystemExit(main())
