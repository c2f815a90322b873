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
from dataclasses import dataclass, fields
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


@dataclass(frozen=True)
class PlanWording:
    """The sentences a plan line is made of. These defaults are the Italian source; the desk
    passes them in the user's language (handlers/locales/<lang>.yml, keys `PLAN_WORDING.*`)."""

    where: str = "la trovi su {url}"
    credit: str = "il tuo credito è di {amount}"
    credit_until: str = "il tuo credito è di {amount} e scade il {date}"
    expires: str = "il credito scade il {date}"
    general: str = "Nel piano della tua azienda: {how}."
    offered: str = "Nel piano della tua azienda questa misura c'è."
    offered_how: str = "Nel piano della tua azienda questa misura c'è: {how}."
    not_offered: str = "Nel piano della tua azienda questa misura non è prevista."
    not_offered_contact: str = (
        "Nel piano della tua azienda questa misura non è prevista: per chiedere informazioni "
        "scrivi a {contact}."
    )


ITALIAN_PLAN = PlanWording()


def plan_line(plan: PlanTerms, topic: str, wording: PlanWording = ITALIAN_PLAN) -> str | None:
    """One line about the worker's own company plan for an answer on `topic`, or None."""
    how = []
    if plan.platform_url:
        how.append(wording.where.format(url=plan.platform_url))
    expires = None if plan.credit_expires is None else plan.credit_expires.strftime("%d/%m/%Y")
    if plan.credit_cents is not None:
        amount = euro(plan.credit_cents)
        how.append(
            wording.credit.format(amount=amount)
            if expires is None
            else wording.credit_until.format(amount=amount, date=expires)
        )
    elif expires is not None:
        how.append(wording.expires.format(date=expires))
    if topic in PLAN_TOPICS:
        return wording.general.format(how="; ".join(how)) if how else None
    if topic in plan.topics:
        return wording.offered_how.format(how="; ".join(how)) if how else wording.offered
    if topic in MEASURE_TOPICS:
        if plan.contact:
            return wording.not_offered_contact.format(contact=plan.contact)
        return wording.not_offered
    return None


def plan_wording_keys() -> dict[str, str]:
    """The Italian sentences of a plan line by field name, for the translation catalogs."""
    return {field.name: getattr(ITALIAN_PLAN, field.name) for field in fields(PlanWording)}
