"""The interface's language: how often short replies would move a conversation to the wrong
language, and what translating and right-to-left marking cost per reply.

    .venv/bin/python bench/interface_languages.py

Short replies: `bench/data/language_short_messages.tsv` and `language_short_fresh.tsv`. For each
message, written in language X with the client's language as hint:
- "wrong first": the conversation has no language yet and the message sets a wrong one
  (detected not X with confidence >= SURE_LANGUAGE);
- "wrong switch": the conversation is in X and the message moves it (detected not X with
  confidence >= SWITCH_LANGUAGE), the rule of handlers/engine.py.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.render import to_html  # noqa: E402
from handlers import texts  # noqa: E402
from handlers.engine import SURE_LANGUAGE, SWITCH_LANGUAGE  # noqa: E402
from handlers.i18n import Translations  # noqa: E402
from nlu.language import LanguageDetector  # noqa: E402
from nlu.replies import yes_or_no  # noqa: E402

SETS = ("language_short_messages.tsv", "language_short_fresh.tsv")


def rows() -> list[tuple[str, str]]:
    found = []
    for name in SETS:
        with (ROOT / "bench" / "data" / name).open(encoding="utf-8") as handle:
            found += [(r["lang"], r["text"]) for r in csv.DictReader(handle, delimiter="\t")]
    return found


def per_call_us(call: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1e6


def main() -> None:
    detector = LanguageDetector()
    messages = rows()
    wrong_first = wrong_switch = 0
    for language, text in messages:
        found = detector.detect(text, language)
        wrong = found.code != language
        wrong_first += wrong and found.confidence >= SURE_LANGUAGE
        wrong_switch += wrong and found.confidence >= SWITCH_LANGUAGE
    total = len(messages)
    print(f"short replies: {total}")
    print(f"  wrong first language : {wrong_first} ({wrong_first / total:.1%})")
    print(f"  wrong switch         : {wrong_switch} ({wrong_switch / total:.1%})")
    print(f"  read as yes or no    : {sum(yes_or_no(t) is not None for _, t in messages)}")

    started = time.perf_counter()
    catalogs = Translations.load()
    print(f"catalogs load: {(time.perf_counter() - started) * 1000:.1f} ms (once, at start)")
    print(f"tr(): {per_call_us(lambda: catalogs.text('ar', texts.PRIVACY_NOTICE), 100_000):.2f} µs")
    notice = catalogs.text("ar", texts.PRIVACY_NOTICE)
    print(f"to_html, Arabic notice: {per_call_us(lambda: to_html(notice), 2_000):.1f} µs")
    italian = texts.PRIVACY_NOTICE
    print(f"to_html, Italian notice: {per_call_us(lambda: to_html(italian), 2_000):.1f} µs")
    print(f"yes_or_no: {per_call_us(lambda: yes_or_no('po, pranoj'), 20_000):.1f} µs")


if __name__ == "__main__":
    main()
