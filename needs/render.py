"""The needs report as CSV or HTML; the data comes protected from `needs.report`.

The HTML is one self-contained page: inline CSS and server-drawn SVG bar charts, no script,
no font or image from the network, and a print style sheet (A4, black on white, no page
break inside a chart). A withheld figure is drawn as a labelled gap, never as a bar, and its
count is not in the page because the report never had it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from html import escape

from needs.indicators import definitions
from needs.suggestions import percent
from storage import NEED_AREAS

LABELS = {
    "women": "Donne",
    "under_30": "Under 30",
    "over_50": "50 anni e più",
    "part_time": "Part-time",
    "women_part_time": "Donne in part-time (sul totale delle donne)",
    "non_permanent": "Contratto non a tempo indeterminato",
    "parents_0_2": "Con figli 0-2 anni",
    "parents_3_5": "Con figli 3-5 anni",
    "parents_6_13": "Con figli 6-13 anni",
    "parents_14_18": "Con figli 14-18 anni",
    "parents_under_14": "Con figli sotto i 14 anni",
    "caregivers": "Assistono un familiare",
    "long_commute": "Tragitto oltre 45 minuti",
    "shift_workers": "Lavoro su turni",
    "wants_flexibility": "Vorrebbero orari flessibili",
    "wants_smart_working": "Vorrebbero lo smart working",
    "childcare": "Cura dei figli piccoli",
    "schooling": "Scuola e studio dei figli",
    "eldercare": "Assistenza a familiari",
    "health": "Salute",
    "mobility": "Spostamenti",
    "time": "Tempo e conciliazione",
    "income_support": "Sostegno al reddito",
    "training": "Formazione",
    "leisure": "Tempo libero",
    "housing": "Casa",
    "car": "Auto",
    "public_transport": "Mezzi pubblici",
    "bike": "Bicicletta",
    "walk": "A piedi",
    "motorbike": "Moto o scooter",
    "mixed": "Misto",
    "other": "Altro",
    "not_said": "Non indicato",
    "full_time": "Tempo pieno",
    "shifts": "Turni",
}
WITHHELD = "non mostrato: riguarderebbe meno di {k} persone"
CSV_HEADER = ("section", "group", "key", "count", "share", "suppressed", "note")


def _label(key: str) -> str:
    return LABELS.get(key, key)


# --- CSV -------------------------------------------------------------------------------------


def render_csv(report: Mapping[str, object]) -> str:
    """One figure per line (plus one line per suggestion); a withheld figure has no number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for section, group, key, figure in _figures(report):
        if "count" in figure:
            writer.writerow((section, group, key, figure["count"], figure["share"], "false", ""))
        else:
            writer.writerow((section, group, key, "", "", "true", ""))
    for suggestion in _list(report.get("suggestions")):
        writer.writerow(
            (
                "suggestion",
                suggestion["source"],
                suggestion["rule"],
                "",
                suggestion["share"],
                "false",
                f"{suggestion['reason']} → {', '.join(_strings(suggestion.get('topics')))}",
            )
        )
    return out.getvalue()


def _figures(report: Mapping[str, object]) -> list[tuple[str, str, str, Mapping[str, object]]]:
    rows: list[tuple[str, str, str, Mapping[str, object]]] = []
    workforce = _dict(report.get("workforce"))
    rows.append(("workforce", "all", "headcount", _plain(workforce.get("headcount"))))
    for key, figure in _dict(workforce.get("indicators")).items():
        rows.append(("workforce", "all", key, _dict(figure)))
    for site in _list(workforce.get("by_site")):
        name = str(site["site"])
        rows.append(("workforce_site", name, "headcount", _plain(site["headcount"])))
        for key, figure in _dict(site["indicators"]).items():
            rows.append(("workforce_site", name, key, _dict(figure)))
    interview = _dict(report.get("interview"))
    respondents = interview.get("respondents")
    rows.append(
        (
            "interview",
            "all",
            "respondents",
            _plain(respondents) if isinstance(respondents, int) else _dict(respondents),
        )
    )
    for key, figure in _dict(interview.get("indicators")).items():
        rows.append(("interview", "all", key, _dict(figure)))
    for part in ("commute_modes", "working_time"):
        for key, figure in _dict(interview.get(part)).items():
            rows.append(("interview", part, key, _dict(figure)))
    for area, figures in _dict(interview.get("need_areas")).items():
        for kind, figure in _dict(figures).items():
            rows.append(("interview", f"need_area_{kind}", area, _dict(figure)))
    return rows


def _labelled(figures: object) -> list[tuple[str, Mapping[str, object]]]:
    """A chart's items: each figure of a `{key: figure}` section under its Italian label."""
    return [(_label(key), _dict(figure)) for key, figure in _dict(figures).items()]


def _by_area(areas: Mapping[str, object], kind: str) -> list[tuple[str, Mapping[str, object]]]:
    """A chart's items: the `kind` figure ("picked", "first_choice") of every need area."""
    return [(_label(area), _dict(_dict(areas.get(area)).get(kind))) for area in NEED_AREAS]


def _plain(value: object) -> Mapping[str, object]:
    return {"count": value, "share": ""}


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2733;
max-width:58rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:2px solid #2b6cb0;padding-bottom:.2rem}h3{font-size:1rem;margin-top:1.4rem}
.note{color:#4a5568;font-size:.9rem}figure{margin:.6rem 0;break-inside:avoid}
svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem;break-inside:avoid}
th,td{border-bottom:1px solid #cbd5e0;text-align:left;padding:.3rem .4rem}
td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.sugg li{margin-bottom:.5rem}.topics{color:#2b6cb0;font-size:.88rem}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}
a{color:inherit;text-decoration:none}@page{size:A4;margin:16mm}}
"""
_BAR_HEIGHT, _GAP, _LABEL_WIDTH, _BAR_WIDTH = 20, 8, 300, 330


def bar_chart(title: str, items: Sequence[tuple[str, Mapping[str, object]]], k: int) -> str:
    """A horizontal bar chart in SVG: one bar per shown share, a dashed gap for a withheld one."""
    height = len(items) * (_BAR_HEIGHT + _GAP) + _GAP
    width = _LABEL_WIDTH + _BAR_WIDTH + 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" aria-label="{escape(title)}"'
        ' font-family="system-ui,sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, figure) in enumerate(items):
        y = _GAP + index * (_BAR_HEIGHT + _GAP)
        middle = y + _BAR_HEIGHT / 2 + 4.5
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{middle}" text-anchor="end"'
            f' fill="#1d2733">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{_BAR_WIDTH}" height="{_BAR_HEIGHT}"'
            ' fill="#edf2f7"/>'
        )
        if "share" in figure and isinstance(figure["share"], float | int):
            share = float(figure["share"])
            parts.append(
                f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{share * _BAR_WIDTH:.1f}"'
                f' height="{_BAR_HEIGHT}" fill="#2b6cb0"/>'
            )
            parts.append(
                f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 8}" y="{middle}" fill="#1d2733">'
                f"{percent(share)} ({figure['count']})</text>"
            )
        else:
            parts.append(
                f'<rect x="{_LABEL_WIDTH + 1}" y="{y + 1}" width="{_BAR_WIDTH - 2}"'
                f' height="{_BAR_HEIGHT - 2}" fill="none" stroke="#a0aec0"'
                ' stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<text x="{_LABEL_WIDTH + 8}" y="{middle}" fill="#4a5568"'
                f' font-style="italic">{escape(WITHHELD.format(k=k))}</text>'
            )
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}</figure>"


def render_html(report: Mapping[str, object], *, k: int, generated: str) -> str:
    """The printable page; `generated` is the date line (the caller's clock, not ours)."""
    code = escape(str(report["company"]))
    workforce = _dict(report.get("workforce"))
    interview = _dict(report.get("interview"))
    body = [
        f"<h1>Analisi dei bisogni — {code}</h1>",
        f'<p class="note">Generato il {escape(generated)}. Nessun dato riguarda meno di {k}'
        " persone: le cifre che lo farebbero non sono mostrate.</p>",
        "<h2>Il personale</h2>",
    ]
    headcount = workforce.get("headcount")
    if headcount:
        body.append(f"<p>Persone nel data set: <strong>{headcount}</strong>.</p>")
        body.append(
            bar_chart("Indicatori del personale", _labelled(workforce.get("indicators")), k)
        )
        body.append(_legend())
        for site in _list(workforce.get("by_site")):
            body.append(f"<h3>Sede: {escape(str(site['site']))} ({site['headcount']} persone)</h3>")
            body.append(bar_chart(f"Indicatori — {site['site']}", _labelled(site["indicators"]), k))
    else:
        body.append('<p class="note">Nessun data set del personale importato.</p>')
    body.append("<h2>Cosa hanno detto le persone</h2>")
    respondents = interview.get("respondents")
    if isinstance(respondents, int):
        body.append(f"<p>Interviste considerate: <strong>{respondents}</strong>.</p>")
        body.append(
            bar_chart("Risultati delle interviste", _labelled(interview.get("indicators")), k)
        )
        areas = _dict(interview.get("need_areas"))
        for heading, kind in (
            ("Aree di bisogno indicate", "picked"),
            ("Prima scelta", "first_choice"),
        ):
            body.append(f"<h3>{heading}</h3>")
            body.append(bar_chart(heading, _by_area(areas, kind), k))
        body.append("<h3>Come arrivano al lavoro</h3>")
        body.append(bar_chart("Mezzo di trasporto", _labelled(interview.get("commute_modes")), k))
    else:
        body.append(
            f'<p class="note">Le interviste con il consenso all\'uso aggregato sono meno di'
            f" {2 * k}: i risultati non sono mostrati.</p>"
        )
    body.append("<h2>Misure suggerite</h2>")
    suggestions = _list(report.get("suggestions"))
    if suggestions:
        items = []
        for s in suggestions:
            topics = ", ".join(str(t) for t in _strings(s.get("topics")))
            in_plan = _strings(s.get("already_in_plan"))
            plan_note = f" — già nel piano: {escape(', '.join(in_plan))}" if in_plan else ""
            items.append(
                f"<li><strong>{escape(str(s['reason']))}</strong><br>"
                f'<span class="topics">Misure: {escape(topics)}{plan_note}</span></li>'
            )
        body.append(f'<ul class="sugg">{"".join(items)}</ul>')
    else:
        body.append('<p class="note">Nessuna regola raggiunge la sua soglia.</p>')
    return (
        '<!doctype html><html lang="it"><head><meta charset="utf-8">'
        f"<title>Analisi dei bisogni — {code}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _legend() -> str:
    rows = "".join(
        f"<tr><td>{escape(_label(key))}</td><td>{escape(definition)}</td>"
        f"<td>{escape(denominator)}</td></tr>"
        for key, (definition, denominator) in definitions().items()
    )
    return (
        "<details open><summary>Definizioni</summary><table><thead><tr><th>Indicatore</th>"
        f"<th>Definizione</th><th>Su</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )
