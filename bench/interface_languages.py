"""The interface's language: how often short replies would move a conversation to the wrong
language, and what translating and right-to-left marking cost per reply.

    .venv/bin/python bench/interface_languages.py

Short replies: `bench/data/language_short_messages.tsv` and `language_short_fresh.tsv`. For each
message, written in language X, the rule of handlers/engine.py (`_detected_language`): a
message sets the language the desk writes in at SURE_LANGUAGE, and moves it to another one
only at SWITCH_LANGUAGE.
- "wrong first": the conversation has no language yet and no client language (the terminal
  chat), so the desk writes Italian, and the message sets a language that is not X;
- "set at once": of the messages not in Italian, how many set their language in that first
  case (the others leave the desk in Italian until a surer message);
- "wrong switch": the conversation is in X (or the client's language is X) and the message
  moves it.
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
    wrong_first = wrong_switch = set_at_once = 0
    for language, text in messages:
        first = detector.detect(text)
        needed = SURE_LANGUAGE if first.code == "it" else SWITCH_LANGUAGE
        wrong_first += first.code != language and first.confidence >= needed
        set_at_once += first.code == language != "it" and first.confidence >= needed
        found = detector.detect(text, language)
        wrong_switch += found.code != language and found.confidence >= SWITCH_LANGUAGE
    total = len(messages)
    print(f"short replies: {total}")
    print(f"  wrong first language : {wrong_first} ({wrong_first / total:.1%})")
    foreign = sum(language != "it" for language, _ in messages)
    print(f"  set at once          : {set_at_once} of {foreign} not in Italian")
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
