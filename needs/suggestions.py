"""Suggested measures: a fixed, documented rule table from published figures to measures.

A rule fires only on a figure that was published (never on a withheld one: a suggestion
would otherwise betray what the rule withheld). Each suggestion names the knowledge-base
topics of its measures, the entries that explain them, and its reason with the figure
("31 % del personale impiega più di 45 minuti per arrivare al lavoro"). The table is copied
in README.md ("Needs analysis"), and a drift test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from needs.suppression import Figure


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    """"workforce" (the data set's indicators) or "interview" (what workers said)."""
    indicator: str
    """An indicator key, or `area:<need area>` for the share that picked that area."""
    threshold: float
    topics: tuple[str, ...]
    reason: str
    """Italian, with `{share}` for the published share."""


def _staff(id: str, indicator: str, threshold: float, topics: tuple[str, ...], fact: str) -> Rule:
    """A rule on a workforce indicator; `fact` completes "31 % del personale ..."."""
    return Rule(id, "workforce", indicator, threshold, topics, f"{{share}} del personale {fact}")


def _picked(id: str, area: str, threshold: float, topics: tuple[str, ...], what: str) -> Rule:
    """A rule on the share that picked a need area; `what` completes "... indica ..."."""
    reason = f"{{share}} di chi ha risposto indica {what}"
    return Rule(id, "interview", f"area:{area}", threshold, topics, reason)


RULES: tuple[Rule, ...] = (
    _staff("long-commute", "long_commute", 0.20,
           ("trasporto-pubblico", "smart-working-conciliazione"),
           "impiega più di 45 minuti per arrivare al lavoro"),
    _staff("toddlers", "parents_0_2", 0.08, ("rimborso-asilo-nido", "congedo-parentale"),
           "ha figli tra 0 e 2 anni"),
    _staff("school-age", "parents_6_13", 0.15, ("istruzione-figli",), "ha figli tra 6 e 13 anni"),
    _staff("young-children", "parents_under_14", 0.25,
           ("smart-working-conciliazione", "congedo-parentale"), "ha figli sotto i 14 anni"),
    _staff("caregivers", "caregivers", 0.08,
           ("assistenza-familiari-anziani", "permessi-legge-104"),
           "assiste un familiare anziano o non autosufficiente"),
    _staff("over-50", "over_50", 0.30, ("sanita-integrativa", "previdenza-complementare"),
           "ha 50 anni o più"),
    _staff("under-30", "under_30", 0.25,
           ("previdenza-complementare", "servizi-ricreativi-culturali"), "ha meno di 30 anni"),
    Rule("women-part-time", "workforce", "women_part_time", 0.30,
         ("smart-working-conciliazione", "rimborso-asilo-nido"),
         "{share} delle lavoratrici è a tempo parziale"),
    _staff("shifts", "shift_workers", 0.20, ("buoni-pasto", "trasporto-pubblico"),
           "lavora su turni"),
    _staff("non-permanent", "non_permanent", 0.20, ("accesso-piano-welfare", "welfare-ccnl"),
           "non ha un contratto a tempo indeterminato"),
    _picked("ask-childcare", "childcare", 0.20, ("rimborso-asilo-nido",),
            "la cura dei figli piccoli"),
    _picked("ask-schooling", "schooling", 0.20, ("istruzione-figli",), "le spese per la scuola"),
    _picked("ask-eldercare", "eldercare", 0.15,
            ("assistenza-familiari-anziani", "permessi-legge-104"), "l'assistenza a familiari"),
    _picked("ask-health", "health", 0.25, ("sanita-integrativa",), "la salute"),
    _picked("ask-mobility", "mobility", 0.20, ("trasporto-pubblico",), "gli spostamenti"),
    _picked("ask-time", "time", 0.25, ("smart-working-conciliazione",),
            "il tempo e la conciliazione"),
    _picked("ask-income", "income_support", 0.25,
            ("fringe-benefit-soglia", "premio-risultato-conversione"), "un sostegno al reddito"),
    _picked("ask-training", "training", 0.20, ("servizi-ricreativi-culturali",), "la formazione"),
    _picked("ask-leisure", "leisure", 0.25, ("servizi-ricreativi-culturali",), "il tempo libero"),
    _picked("ask-housing", "housing", 0.20, ("fringe-benefit-soglia",),
            "la casa (affitto, mutuo)"),
    Rule("ask-smart-working", "interview", "wants_smart_working", 0.30,
         ("smart-working-conciliazione",), "{share} di chi ha risposto vorrebbe lo smart working"),
)  # fmt: skip


def percent(share: float) -> str:
    """31 %, as Italian typography writes it."""
    return f"{round(share * 100)} %"


def suggest(
    workforce: Mapping[str, Figure],
    interview: Mapping[str, object],
    entries_by_topic: Mapping[str, Sequence[str]],
    plan_topics: Sequence[str] = (),
) -> list[dict[str, object]]:
    """The suggestions whose published figure reaches its threshold, strongest share first."""
    suggestions: list[tuple[float, dict[str, object]]] = []
    for rule in RULES:
        figure = _figure(rule, workforce, interview)
        share = figure.get("share") if figure else None
        if not isinstance(share, float | int) or share < rule.threshold:
            continue
        suggestions.append(
            (
                float(share),
                {
                    "rule": rule.id,
                    "source": rule.source,
                    "indicator": rule.indicator,
                    "share": share,
                    "reason": rule.reason.format(share=percent(float(share))),
                    "topics": list(rule.topics),
                    "entries": sorted(e for t in rule.topics for e in entries_by_topic.get(t, ())),
                    "already_in_plan": [t for t in rule.topics if t in plan_topics],
                },
            )
        )
    suggestions.sort(key=lambda pair: -pair[0])
    return [suggestion for _, suggestion in suggestions]


def _figure(
    rule: Rule, workforce: Mapping[str, Figure], interview: Mapping[str, object]
) -> Mapping[str, object] | None:
    if rule.source == "workforce":
        return workforce.get(rule.indicator)
    if rule.indicator.startswith("area:"):
        areas = interview.get("need_areas")
        area = areas.get(rule.indicator[5:]) if isinstance(areas, dict) else None
        picked = area.get("picked") if isinstance(area, dict) else None
        return picked if isinstance(picked, dict) else None
    indicators = interview.get("indicators")
    figure = indicators.get(rule.indicator) if isinstance(indicators, dict) else None
    return figure if isinstance(figure, dict) else None
