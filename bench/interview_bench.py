"""What the needs interview costs a turn: presses and typed answers through the real engine.

    .venv/bin/python bench/interview_bench.py [--people 40] [--database sqlite|URL]

Each person is onboarded with a company code, then answers the whole interview (consent,
household, commute, working time, wishes, three areas ranked, a comment, the summary) once by
pressing the buttons; every second person answers by typing instead ("sì", "due", a button's
words). Times are per turn, engine and database included (the real encoder reads the typed
answers); the last line checks that every person left exactly one stored interview.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers import DialogueEngine, DialogueSettings, Pseudonymizer, Reply, Turn  # noqa: E402
from knowledge.evaluation import percentile  # noqa: E402
from sportello.desk import build_intent_classifier  # noqa: E402
from sportello.settings import load_settings  # noqa: E402
from sportello.wiring import build_search  # noqa: E402
from storage import Database, InterviewResult, add_company  # noqa: E402

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
COUNTS = ("1", "0", "2", "0")
AREAS = ("Nido", "Salute", "Casa", "Fatto", "Salute", "Nido")
PRESSES = ("Sì, sono d'accordo", "Sì", *COUNTS, "No", "Auto", "30-45", "Tempo pieno")
PRESSES += ("Smart working", *AREAS)
TYPED = ("sì", "sì", "uno", "0", "due", "nessuno", "no", "auto", "3", "tempo pieno")
TYPED += ("smart working", "nido e bambini piccoli", "salute", "casa", "fatto", "salute")
TYPED += ("nido e bambini piccoli",)


class Person:
    def __init__(self, engine: DialogueEngine, user_id: int) -> None:
        self.engine, self.user_id, self.clock = engine, user_id, START
        self.last: list[Reply] = []

    def turn(self, timings: list[float] | None = None, **fields: object) -> None:
        self.clock += dt.timedelta(seconds=3)
        base = Turn(channel="test", user_id=self.user_id, chat_id=self.user_id, at=self.clock)
        turn = replace(base, **fields)  # type: ignore[arg-type]
        started = time.perf_counter()
        replies = self.engine.handle(turn).replies
        if timings is not None:
            timings.append((time.perf_counter() - started) * 1000)
        self.last = replies or self.last

    def press(self, label: str, timings: list[float] | None = None) -> None:
        buttons = [b for reply in self.last for row in reply.buttons for b in row]
        data = next(b.data for b in buttons if label in b.label)
        self.turn(timings, button=data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    settings = load_settings(data_dir=work)
    retriever = build_search(settings, progress=False)
    url = f"sqlite:///{work / 'bench.db'}" if args.database == "sqlite" else args.database
    database = Database.from_url(url)
    database.upgrade()
    with database.session() as session:
        add_company(session, code="BENCH-CO", name="Bench", now=START)
    engine = DialogueEngine(
        database=database,
        retriever=retriever,
        intents=build_intent_classifier(settings, retriever.encoder),
        pseudonymizer=Pseudonymizer(b"b" * 32),
        settings=DialogueSettings(),
    )
    pressed: list[float] = []
    typed: list[float] = []
    whole: list[float] = []
    for n in range(args.people):
        person = Person(engine, 9_000_000 + n)
        person.turn(command="start")
        person.press("Sì, va bene")
        person.press("Lavoratore")
        person.turn(text="BENCH-CO")
        started = time.perf_counter()
        person.turn(pressed, command="bisogni")
        if n % 2 == 0:
            for label in PRESSES:
                person.press(label, pressed)
        else:
            for text in TYPED:
                person.turn(typed, text=text)
        person.turn(typed if n % 2 else pressed, text="Vorrei più posti bici")
        person.press("Conferma", pressed)
        whole.append((time.perf_counter() - started) * 1000)
    print("| turns | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, values in (
        ("interview, pressed", pressed),
        ("interview, typed", typed),
        ("whole interview (20 turns)", whole),
    ):
        ordered = sorted(values)
        print(
            f"| {name} | {len(values)} | {percentile(ordered, 50):.1f}"
            f" | {percentile(ordered, 95):.1f} | {ordered[-1]:.1f} |"
        )
    with database.session() as session:
        rows = session.query(InterviewResult).count()
    print(f"\nstored interviews: {rows} for {args.people} people")


if __name__ == "__main__":
    main()
