"""Company plans: read from YAML, and the one line an answer adds about the worker's own plan.

File format (README, "Needs analysis"):

    measures: [rimborso-asilo-nido, trasporto-pubblico]   # knowledge-base topics
    platform: https://welfare.example.it                  # optional
    credit: 600                                            # euro per worker, optional
    credit_expires: 2027-01-31                             # optional
    contact: "Ufficio personale, welfare@example.it"       # optional
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from storage import PlanTerms

PLAN_KEYS = ("measures", "platform", "credit", "credit_expires", "contact")
PLAN_TOPICS = frozenset({"accesso-piano-welfare", "scadenza-credito-welfare"})
"""Topics about the plan itself: their answers get the platform, credit and expiry."""
MEASURE_TOPICS = frozenset(
    {
        "rimborso-asilo-nido",
        "istruzione-figli",
        "assistenza-familiari-anziani",
        "trasporto-pubblico",
        "sanita-integrativa",
        "previdenza-complementare",
        "servizi-ricreativi-culturali",
        "buoni-pasto",
        "smart-working-conciliazione",
        "fringe-benefit-soglia",
        "premio-risultato-conversione",
    }
)
"""Topics that are measures a plan may or may not offer: "not in your plan" makes sense."""


class PlanFileError(ValueError):
    """The plan file cannot be used; the message names the file, the key and the fix."""


def read_plan(path: Path, known_topics: Collection[str]) -> PlanTerms:
    """The plan in `path`, every key checked; unknown keys and topics are refused."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanFileError(f"{path}: not valid YAML ({exc}) — fix the syntax") from exc
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: expected keys {', '.join(PLAN_KEYS)}")
    problems = [
        f"{path}: unknown key '{key}' — use {', '.join(PLAN_KEYS)}"
        for key in data
        if key not in PLAN_KEYS
    ]
    measures = data.get("measures")
    if (
        not isinstance(measures, list)
        or not measures
        or not all(isinstance(m, str) for m in measures)
    ):
        problems.append(f"{path}: measures must be a non-empty list of knowledge-base topics")
        measures = []
    for topic in measures:
        if topic not in known_topics:
            problems.append(f"{path}: measures: '{topic}' is not a topic of topics.yml")
    platform = _optional_text(data, "platform", path, problems)
    if platform is not None and not platform.startswith(("https://", "http://")):
        problems.append(f"{path}: platform must be a web address starting with https://")
    credit = data.get("credit")
    cents: int | None = None
    if credit is not None:
        if isinstance(credit, bool) or not isinstance(credit, int | float) or credit < 0:
            problems.append(f"{path}: credit must be an amount in euro, e.g. 600 or 450.50")
        else:
            cents = round(credit * 100)
    expires: Any = data.get("credit_expires")
    if expires is not None and not isinstance(expires, dt.date):
        problems.append(f"{path}: credit_expires must be a date, e.g. 2027-01-31")
        expires = None
    contact = _optional_text(data, "contact", path, problems)
    if problems:
        raise PlanFileError("\n".join(problems))
    return PlanTerms(
        topics=tuple(dict.fromkeys(measures)),
        platform_url=platform,
        credit_cents=cents,
        credit_expires=expires,
        contact=contact,
    )


def _optional_text(data: dict[str, Any], key: str, path: Path, problems: list[str]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: {key} must be text")
        return None
    return value.strip()


def euro(cents: int) -> str:
    """600,00 €, the Italian way."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d} €"


def plan_line(plan: PlanTerms, topic: str) -> str | None:
    """One line about the worker's own company plan for an answer on `topic`, or None."""
    how = []
    if plan.platform_url:
        how.append(f"la trovi su {plan.platform_url}")
    if plan.credit_cents is not None:
        credit = f"il tuo credito è di {euro(plan.credit_cents)}"
        if plan.credit_expires is not None:
            credit += f" e scade il {plan.credit_expires.strftime('%d/%m/%Y')}"
        how.append(credit)
    elif plan.credit_expires is not None:
        how.append(f"il credito scade il {plan.credit_expires.strftime('%d/%m/%Y')}")
    if topic in PLAN_TOPICS:
        return ("Nel piano della tua azienda: " + "; ".join(how) + ".") if how else None
    if topic in plan.topics:
        line = "Nel piano della tua azienda questa misura c'è"
        return line + (": " + "; ".join(how) if how else "") + "."
    if topic in MEASURE_TOPICS:
        line = "Nel piano della tua azienda questa misura non è prevista"
        if plan.contact:
            line += f": per chiedere informazioni scrivi a {plan.contact}"
        return line + "."
    return None
