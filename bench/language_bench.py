"""Language detection: the desk's detector next to bare statistical detectors, on chat messages.

    .venv/bin/python bench/language_bench.py [--markdown]

Sets (bench/data): `language_short_messages.tsv` (one- to five-word replies, the lexicon's
development set), `language_short_fresh.tsv` (written after the lexicon, never used to tune
it), the questions of `heldout_multilingual.tsv`, and the Italian sets (`heldout_queries.tsv`,
`../shared/dev_queries.tsv`), where every message is counted as Italian — a few of them are
not, and are listed so a reader can judge.

Hint conditions for the short sets: none; the true language (Telegram's `language_code` of a
phone set to the writer's language); and "it" (a phone set to Italian: the hint then misleads
every non-Italian message). Bare detectors are tried when their package is importable
(py3langid is a dependency; lingua-language-detector and langid are optional here).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu.language import LANGUAGES, LanguageDetector  # noqa: E402

DATA = ROOT / "bench" / "data"
Detect = Callable[[str, str | None], str]


def read_rows(path: Path, text_column: str, lang_column: str | None) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row[lang_column] if lang_column else "it", row[text_column]) for row in reader]


def bare_detectors() -> dict[str, Detect]:
    found: dict[str, Detect] = {}
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    p3 = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    p3.set_languages(list(LANGUAGES))
    found["py3langid 0.4.0 (bare)"] = lambda text, _hint: str(p3.classify(text)[0])
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        wanted = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
        for mode, builder in (
            (
                "low accuracy",
                LanguageDetectorBuilder.from_languages(*wanted).with_low_accuracy_mode(),
            ),
            ("high accuracy", LanguageDetectorBuilder.from_languages(*wanted)),
        ):
            detector = builder.with_preloaded_language_models().build()

            def lingua_detect(text: str, _hint: str | None, d: object = detector) -> str:
                found_language = d.detect_language_of(text)  # type: ignore[attr-defined]
                return found_language.iso_code_639_1.name.lower() if found_language else "?"

            found[f"lingua 2.1.1 {mode} (bare)"] = lingua_detect
    except ImportError:
        pass
    try:
        import langid.langid as langid_module

        classic = langid_module.LanguageIdentifier.from_modelstring(
            langid_module.model, norm_probs=True
        )
        classic.set_languages(list(LANGUAGES))
        found["langid 1.1.6 (bare)"] = lambda text, _hint: str(classic.classify(text)[0])
    except ImportError:
        pass
    return found


def measure(
    detect: Detect, rows: Sequence[tuple[str, str]], hint: Callable[[str], str | None]
) -> tuple[float, float, float, list[str]]:
    correct = 0
    latencies: list[float] = []
    wrong: list[str] = []
    for lang, text in rows:
        started = time.perf_counter()
        got = detect(text, hint(lang))
        latencies.append((time.perf_counter() - started) * 1000)
        if got == lang:
            correct += 1
        else:
            wrong.append(f"{lang}:{text!r}→{got}")
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return correct / len(rows), p50, p95, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    short = read_rows(DATA / "language_short_messages.tsv", "text", "lang")
    fresh = read_rows(DATA / "language_short_fresh.tsv", "text", "lang")
    questions = read_rows(DATA / "heldout_multilingual.tsv", "query", "lang")
    italian = read_rows(DATA / "heldout_queries.tsv", "query", None)
    dev = ROOT.parent / "shared" / "dev_queries.tsv"
    if dev.exists():
        italian += read_rows(dev, "query", None)

    started = time.perf_counter()
    desk = LanguageDetector()
    load_ms = (time.perf_counter() - started) * 1000
    detectors: dict[str, Detect] = {
        "desk (lexicon + py3langid + hint)": lambda t, h: desk.detect(t, h).code
    }
    detectors.update(bare_detectors())
    no_hint: Callable[[str], str | None] = lambda _lang: None  # noqa: E731
    true_hint: Callable[[str], str | None] = lambda lang: lang  # noqa: E731
    italian_hint: Callable[[str], str | None] = lambda _lang: "it"  # noqa: E731

    print(f"desk detector load: {load_ms:.0f} ms")
    print(
        "| detector | short, no hint | short, true hint | short, hint it | fresh, no hint"
        " | fresh, true hint | fresh, hint it | questions (6 langs) | Italian questions"
        " | p50 / p95 ms (short) | p50 / p95 ms (questions) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    errors: list[str] = []
    for name, detect in detectors.items():
        cells: list[str] = []
        for rows in (short, fresh):
            for hint in (no_hint, true_hint, italian_hint):
                accuracy, _p50, _p95, wrong = measure(detect, rows, hint)
                cells.append(f"{accuracy:.3f}")
                if hint is true_hint:
                    errors += [
                        f"{name} [{'fresh' if rows is fresh else 'short'}] {w}" for w in wrong
                    ]
        q_accuracy, q50, q95, q_wrong = measure(detect, questions, no_hint)
        i_accuracy, _i50, _i95, i_wrong = measure(detect, italian, no_hint)
        _accuracy, s50, s95, _wrong = measure(detect, short + fresh, no_hint)
        errors += [f"{name} [questions] {w}" for w in q_wrong]
        errors += [f"{name} [Italian] {w}" for w in i_wrong]
        cells += [
            f"{q_accuracy:.3f}",
            f"{i_accuracy:.3f} ({len(i_wrong)} of {len(italian)} not it)",
            f"{s50:.3f} / {s95:.3f}",
            f"{q50:.3f} / {q95:.3f}",
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.show_errors:
        print()
        print("\n".join(errors))


if __name__ == "__main__":
    main()
