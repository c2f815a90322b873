"""A realistic synthetic workforce data set, for demos, tests and the benchmark.

The shape follows what Family Audit style data sets of Italian firms show: a manufacturing
company with a few sites, about a third women, part-time mostly among women, children
whose ages follow the parent's, caregiving rising after 45, commutes mostly short with a
long tail, shifts in production sites. Same seed, same file.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from storage import WORKFORCE_COLUMNS

SITES = (("Torino", 0.45, 0.55), ("Novara", 0.25, 0.6), ("Cuneo", 0.2, 0.4), ("Asti", 0.1, 0.1))
"""(site, share of staff, share on shifts)."""
FORMATS = ("csv", "csv-excel", "xlsx")


def synth_rows(rows: int, seed: int) -> list[dict[str, object]]:
    """`rows` employees drawn from a seeded generator (values as they appear in the file)."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    names = [s[0] for s in SITES]
    weights = [s[1] for s in SITES]
    shifts = {s[0]: s[2] for s in SITES}
    for _ in range(rows):
        age = min(66, max(18, round(rng.gauss(43, 11))))
        woman = rng.random() < 0.36
        gender = "F" if woman else ("X" if rng.random() < 0.01 else "M")
        site = rng.choices(names, weights)[0]
        contract = rng.choices(
            ("indeterminato", "determinato", "apprendistato", "somministrato"),
            (0.78, 0.12, 0.04 if age < 30 else 0.005, 0.06),
        )[0]
        part_time = rng.random() < (0.32 if woman else 0.06)
        children = [0, 0, 0, 0]
        if 24 <= age <= 60 and rng.random() < 0.62:
            for _child in range(rng.choices((1, 2, 3), (0.45, 0.43, 0.12))[0]):
                child_age = age - rng.randint(24, 42)
                if 0 <= child_age <= 2:
                    children[0] += 1
                elif 3 <= child_age <= 5:
                    children[1] += 1
                elif 6 <= child_age <= 13:
                    children[2] += 1
                elif 14 <= child_age <= 18:
                    children[3] += 1
        caregiver = rng.random() < (0.03 if age < 45 else 0.14)
        commute = min(180, round(rng.lognormvariate(3.05, 0.6)))
        out.append(
            {
                "eta": age,
                "genere": gender,
                "contratto": contract,
                "part_time": "si" if part_time else "no",
                "figli_0_2": children[0],
                "figli_3_5": children[1],
                "figli_6_13": children[2],
                "figli_14_18": children[3],
                "caregiver": "si" if caregiver else "no",
                "minuti_tragitto": commute,
                "turni": "si" if rng.random() < shifts[site] else "no",
                "sede": site,
                "anzianita_anni": min(age - 16, round(rng.expovariate(1 / 9))),
            }
        )
    return out


def write_synth(path: Path, rows: int, seed: int, file_format: str = "csv") -> None:
    """Write the data set: `csv` (UTF-8, comma), `csv-excel` (as Italian Excel: semicolon,
    Windows-1252, "sì") or `xlsx`."""
    data = synth_rows(rows, seed)
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("personale")
        sheet.append(list(WORKFORCE_COLUMNS))
        for row in data:
            sheet.append([row[c] for c in WORKFORCE_COLUMNS])
        workbook.save(path)
        return
    excel = file_format == "csv-excel"
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n"
    )
    writer.writerow(WORKFORCE_COLUMNS)
    for row in data:
        values = [row[c] for c in WORKFORCE_COLUMNS]
        if excel:
            values = ["sì" if v == "si" else v for v in values]
        writer.writerow(values)
    path.write_bytes(out.getvalue().encode("cp1252" if excel else "utf-8"))
