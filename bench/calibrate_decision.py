"""Choose the answer / clarify / fallback thresholds from labelled data.

    .venv/bin/python bench/calibrate_decision.py

In-scope questions (held-out + dev sets) and out-of-scope messages (bench/data/out_of_scope.tsv,
kinds offtopic and nearmiss; small talk is the NLU's job) are searched once; then a grid of
thresholds is scored by the cost of what the desk would do:

- a wrong answer, or an answer to an out-of-scope message: 1 (misleads the user)
- a fallback on an in-scope question it had right: 0.5 (a human is offered, time is lost)
- a clarifying question: 0.2 if the right topic is among the offered candidates, else 1

Thresholds depend on the encoder's similarity scale: re-run this after changing the encoder
and copy the printed values into config.yml.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import RetrievalSettings, read_labelled_queries  # noqa: E402
from knowledge.retriever import Hit, decide  # noqa: E402
from sportello.settings import load_settings  # noqa: E402
from sportello.wiring import build_search  # noqa: E402

IN_SCOPE = [ROOT / "bench/data/heldout_queries.tsv", ROOT.parent / "shared/dev_queries.tsv"]
OUT_OF_SCOPE = ROOT / "bench/data/out_of_scope.tsv"


@dataclass(frozen=True)
class Case:
    label: str | None
    """The expected topic, None for out-of-scope."""
    hits: tuple[Hit, ...]
    coverage: float


def cost(settings: RetrievalSettings, case: Case) -> float:
    decision = decide(case.hits, case.coverage, settings)
    right = case.label is not None and case.hits[0].entry.topic == case.label
    if decision == "fallback":
        return 0.5 if right else 0.0
    if case.label is None:
        return 1.0
    if decision == "answer":
        return 0.0 if right else 1.0
    offered = {h.entry.topic for h in case.hits[:3]}
    return 0.2 if case.label in offered else 1.0


def main() -> None:
    settings = load_settings()
    retriever = build_search(settings, progress=False)
    cases: list[Case] = []
    for path in IN_SCOPE:
        if path.exists():
            for q in read_labelled_queries(path):
                result = retriever.search(q.text)
                cases.append(Case(q.label, result.hits, result.coverage))
    for q in read_labelled_queries(OUT_OF_SCOPE, label_column="kind"):
        if q.label in ("offtopic", "nearmiss"):
            result = retriever.search(q.text)
            cases.append(Case(None, result.hits, result.coverage))

    sims = np.array([c.hits[0].similarity for c in cases])
    grid_sim = np.unique(np.round(np.quantile(sims, np.linspace(0.0, 0.6, 25)), 3))
    best: tuple[float, dict[str, float]] | None = None
    for low, high, coverage, margin in itertools.product(
        grid_sim, grid_sim, (0.0, 0.25, 0.34, 0.5, 0.67), (0.0, 0.1, 0.2, 0.35, 0.5, 0.75)
    ):
        if high < low:
            continue
        candidate = {
            "min_similarity": float(low),
            "confident_similarity": float(high),
            "min_coverage": coverage,
            "clarify_margin": margin,
        }
        trial = settings.retrieval.model_copy(update=candidate)
        total = sum(cost(trial, c) for c in cases)
        if best is None or total < best[0]:
            best = (total, candidate)
    assert best is not None
    total, chosen = best
    trial = settings.retrieval.model_copy(update=chosen)
    in_scope = [c for c in cases if c.label is not None]
    out_scope = [c for c in cases if c.label is None]

    def share(group: list[Case], decision: str) -> float:
        return sum(decide(c.hits, c.coverage, trial) == decision for c in group) / len(group)

    print(f"encoder {settings.encoder.backend}: {len(in_scope)} in-scope, {len(out_scope)} out")
    print("chosen thresholds (copy into config.yml, section retrieval):")
    for key, value in chosen.items():
        print(f"  {key}: {value}")
    print(f"mean cost {total / len(cases):.3f}")
    for name, group in (("in-scope", in_scope), ("out-of-scope", out_scope)):
        print(
            f"{name}: answer {share(group, 'answer'):.2f}, clarify {share(group, 'clarify'):.2f},"
            f" fallback {share(group, 'fallback'):.2f}"
        )
    wrong = sum(
        decide(c.hits, c.coverage, trial) == "answer" and c.hits[0].entry.topic != c.label
        for c in in_scope
    )
    print(f"in-scope answered with the wrong topic: {wrong}/{len(in_scope)}")


if __name__ == "__main__":
    main()
