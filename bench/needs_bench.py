"""Needs analysis benchmark: import and report for 50,000 employees; report on 100,000 interviews.

    .venv/bin/python bench/needs_bench.py [--rows 50000] [--interviews 100000] [--no-postgres]

Steps, each timed on its own: writing the synthetic data set (CSV as Italian Excel saves it,
plain CSV, XLSX), reading and validating it, storing it (SQLite file; PostgreSQL when
reachable at $SPORTELLO_TEST_POSTGRES_URL or 127.0.0.1:5432/test, in a throwaway schema),
loading it back and building the report (with the by-site breakdown) and rendering JSON,
CSV and HTML; then storing interviews (one `save_interview` upsert per person for a sample,
bulk for the rest) and building the report over them. Results go to
bench/results/needs_bench.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import random
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from needs import (  # noqa: E402
    Employee,
    build_report,
    read_workforce,
    render_csv,
    render_html,
    write_synth,
)
from storage import (  # noqa: E402
    COMMUTE_BANDS,
    COMMUTE_MODES,
    NEED_AREAS,
    WORKING_TIMES,
    Database,
    InterviewAnswers,
    User,
    add_company,
    consented_interviews,
    load_workforce,
    replace_workforce,
    save_interview,
)
from storage.models import InterviewResult, table_of  # noqa: E402

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
K = 5
T = TypeVar("T")
RESULTS = ROOT / "bench" / "results" / "needs_bench.md"
POSTGRES_URL = os.environ.get(
    "SPORTELLO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def timed(label: str, lines: list[str], action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    lines.append(f"| {label} | {seconds:.2f} s |")
    print(f"{label}: {seconds:.2f} s", flush=True)
    return result


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"needs_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    except OperationalError:
        yield None
        return
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


def bench_backend(
    name: str, url: str, employees: list[Employee], interviews: int, lines: list[str]
) -> None:
    database = Database.from_url(url)
    database.upgrade()
    entries = {"trasporto-pubblico": ["trasporto-pubblico-abbonamento-rimborso"]}
    with database.session() as session:
        company = add_company(session, code="BENCH", name="Bench SpA", now=NOW).id
    rows = [e.as_row() for e in employees]

    def store() -> int:
        with database.session() as session:
            return replace_workforce(session, company_id=company, rows=rows, now=NOW)

    timed(f"{name}: store {len(rows):,} rows (first import)", lines, store)
    timed(f"{name}: store {len(rows):,} rows again (replaces the previous)", lines, store)

    def report() -> dict[str, object]:
        with database.session() as session:
            loaded = [Employee.from_row(r) for r in load_workforce(session, company_id=company)]
            answers = consented_interviews(session, company_id=company)
        return build_report(
            company="BENCH",
            employees=loaded,
            interviews=answers,
            k=K,
            entries_by_topic=entries,
            with_sites=True,
        )

    built = timed(f"{name}: load + build report (with sites)", lines, report)
    timed(f"{name}: render JSON", lines, lambda: json.dumps(built, ensure_ascii=False))
    timed(f"{name}: render CSV", lines, lambda: render_csv(built))
    page = timed(
        f"{name}: render HTML", lines, lambda: render_html(built, k=K, generated="02/12/2026")
    )
    lines.append(f"| {name}: HTML size | {len(page.encode()) / 1024:.0f} KiB |")

    rng = random.Random(5)

    def answer() -> InterviewAnswers:
        areas = rng.sample(NEED_AREAS, rng.randint(0, 4))
        return InterviewAnswers(
            consent_aggregate=rng.random() < 0.9,
            children_0_2=int(rng.random() < 0.08),
            children_3_5=int(rng.random() < 0.1),
            children_6_13=int(rng.random() < 0.2),
            children_14_18=int(rng.random() < 0.15),
            dependent_relatives=rng.random() < 0.1,
            commute_mode=rng.choice(COMMUTE_MODES),
            commute_band=rng.choice(COMMUTE_BANDS),
            working_time=rng.choice(WORKING_TIMES),
            wants_flexibility=rng.random() < 0.5,
            wants_smart_working=rng.random() < 0.4,
            need_areas=tuple(areas),
        )

    sample = 200
    with database.session() as session:
        session.execute(
            insert(table_of(User)),
            [
                {"user_ref": f"ref-{i}", "created_at": NOW, "updated_at": NOW, "blocked": False}
                for i in range(interviews)
            ],
        )

    def upserts() -> None:
        for i in range(sample):
            with database.session() as session:
                save_interview(
                    session, user_ref=f"ref-{i}", company_id=company, answers=answer(), now=NOW
                )

    timed(f"{name}: {sample:,} interviews saved one by one (upsert, one transaction each)",
          lines, upserts)  # fmt: skip
    timed(f"{name}: the same {sample:,} saved again (updates, no duplicates)", lines, upserts)

    def bulk() -> None:
        values = []
        for i in range(sample, interviews):
            row = answer().checked()
            row.update(user_ref=f"ref-{i}", company_id=company, created_at=NOW, updated_at=NOW)
            values.append(row)
        with database.session() as session:
            for start in range(0, len(values), 5000):
                session.execute(insert(table_of(InterviewResult)), values[start : start + 5000])

    timed(f"{name}: bulk-load the other {interviews - sample:,} interviews", lines, bulk)
    with_interviews = timed(
        f"{name}: load + build report over {interviews:,} interviews and {len(rows):,} rows",
        lines,
        report,
    )
    section = with_interviews["interview"]
    assert isinstance(section, dict)
    lines.append(f"| {name}: interviews in the report (consented, cohort of k) | "
                 f"{section['respondents']:,} |")  # fmt: skip
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    lines = ["| step | result |", "|---|---|"]
    with tempfile.TemporaryDirectory(prefix="needs-bench-") as scratch:
        folder = Path(scratch)
        files = {
            "csv-excel": folder / "excel.csv",
            "csv": folder / "plain.csv",
            "xlsx": folder / "data.xlsx",
        }
        for file_format, path in files.items():
            timed(f"synth {args.rows:,} rows ({file_format})", lines,
                  functools.partial(write_synth, path, args.rows, 11, file_format))  # fmt: skip
            size = path.stat().st_size / 1024 / 1024
            lines.append(f"| file size ({file_format}) | {size:.1f} MiB |")
        employees: list[Employee] = []
        for file_format, path in files.items():
            employees = timed(f"read + validate {args.rows:,} rows ({file_format})", lines,
                              functools.partial(read_workforce, path))  # fmt: skip
        bench_backend(
            "SQLite", f"sqlite:///{folder / 'bench.db'}", employees, args.interviews, lines
        )
        if not args.no_postgres:
            with postgres_schema() as url:
                if url is None:
                    lines.append("| PostgreSQL | not reachable: skipped |")
                else:
                    bench_backend("PostgreSQL", url, employees, args.interviews, lines)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"| peak RSS of the whole run | {peak:.0f} MiB |")
    header = [
        "# Needs analysis benchmark",
        "",
        f"`bench/needs_bench.py --rows {args.rows} --interviews {args.interviews}`, run on"
        f" {dt.date.today().isoformat()}: Python {platform.python_version()},"
        f" {os.cpu_count()} cores shared with other jobs (timings are upper bounds).",
        "",
    ]
    RESULTS.write_text("\n".join([*header, *lines, ""]), encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
