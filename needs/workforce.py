"""Reading a company's workforce data set: CSV (as Italian Excel saves it, or plain) and XLSX.

One row per employee, no names. Every row and column is validated and the problems are
collected (up to `MAX_PROBLEMS`, each naming its row and column) before anything is stored:
a file is taken whole or not at all. The format is documented in README.md ("Needs analysis").
Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage import CONTRACTS, GENDERS, SITE_LENGTH, WORKFORCE_COLUMNS

MAX_PROBLEMS = 50
MAX_CHILDREN = 20
MAX_COMMUTE_MINUTES = 480
MAX_SENIORITY = 65
MIN_AGE, MAX_AGE = 15, 80

PERSONAL_COLUMNS = frozenset(
    {
        "nome",
        "cognome",
        "nominativo",
        "name",
        "surname",
        "first_name",
        "last_name",
        "full_name",
        "nome_cognome",
        "codice_fiscale",
        "cf",
        "email",
        "e-mail",
        "mail",
        "telefono",
        "cellulare",
        "phone",
        "matricola",
        "indirizzo",
        "address",
        "iban",
        "data_nascita",
        "data_di_nascita",
    }
)
"""Headers that identify a person: refused with their own message, not as mere extras."""

_YES = {"si", "sì"}
_NO = {"no"}


class WorkforceFileError(ValueError):
    """The file cannot be imported; `problems` lists each with its row and column."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        listed = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{self.path}: not imported, nothing was stored:\n{listed}")


@dataclass(frozen=True)
class Employee:
    """One validated row of the data set (the stored columns plus its row number)."""

    row: int
    eta: int
    genere: str
    contratto: str
    part_time: bool
    figli_0_2: int
    figli_3_5: int
    figli_6_13: int
    figli_14_18: int
    caregiver: bool
    minuti_tragitto: int
    turni: bool
    sede: str
    anzianita_anni: int

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ("row", *WORKFORCE_COLUMNS)}

    @classmethod
    def from_row(cls, row: dict[str, Any], number: int = 0) -> Employee:
        return cls(row=number, **{name: row[name] for name in WORKFORCE_COLUMNS})


def read_workforce(path: Path) -> list[Employee]:
    """The employees of the file, or WorkforceFileError with every problem found.

    OSError (missing or unreadable file) passes through: it is not a problem of the content.
    """
    data = path.read_bytes()
    if data[:8] == _OLE_MAGIC:
        raise WorkforceFileError(
            path, ["an old Excel .xls workbook — save it as .xlsx or as CSV and import that"]
        )
    rows = _xlsx_rows(path, data) if _is_xlsx(data) else _csv_rows(path, data)
    return validate_rows(path, rows)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Windows-1252 (Excel).

    Valid UTF-8 is almost never what cp1252 text with accented letters looks like, so the
    order decides correctly in practice.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    """Semicolon (Italian Excel), tab or comma: whichever splits the header line most."""
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(path: Path, data: bytes) -> Iterator[list[str]]:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:  # e.g. a field beyond the csv module's size limit
            raise WorkforceFileError(path, [f"row {reader.line_num}: {exc}"]) from None

    return rows()


def _xlsx_rows(path: Path, data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise WorkforceFileError(path, [f"not a readable XLSX workbook ({exc})"]) from None
    sheet = workbook.worksheets[0]

    def cells() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(v) for v in values]
        finally:
            workbook.close()

    return cells()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "si" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_rows(path: Path | str, rows: Iterable[list[str]]) -> list[Employee]:
    """Check the header and every row; all problems are collected, then raised together."""
    iterator = iter(rows)
    header = next(iterator, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(iterator, None)
    if header is None:
        raise WorkforceFileError(
            path,
            [
                "the file is empty: the first row must name the columns"
                f" {', '.join(WORKFORCE_COLUMNS)}"
            ],
        )
    names = [cell.strip().lstrip("\ufeff") for cell in header]
    while names and not names[-1]:
        names.pop()  # spreadsheets often carry empty trailing header cells
    _check_header(path, names)
    position = {name: index for index, name in enumerate(names)}
    employees: list[Employee] = []
    problems: list[str] = []
    hidden = 0
    for number, cells in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row_problems: list[str] = []
        if any(cell.strip() for cell in cells[len(names) :]):
            row_problems.append(
                f"row {number}: {len(cells)} values for {len(names)} columns"
                " — remove the values beyond the last column"
            )
        values: dict[str, Any] = {}
        for column, parse in _PARSERS.items():
            index = position[column]
            raw = cells[index].strip() if index < len(cells) else ""
            try:
                values[column] = parse(raw)
            except ValueError as exc:
                row_problems.append(f"row {number}, column {column}: {exc}")
        if not row_problems:
            values["row"] = number
            employees.append(Employee(**values))
        for problem in row_problems:
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            else:
                hidden += 1
    if not problems and not employees:
        problems.append("no employee rows after the header — one row per employee is expected")
    if hidden:
        problems.append(f"… and {hidden} more problem(s) not listed")
    if problems:
        raise WorkforceFileError(path, problems)
    return employees


def _check_header(path: Path | str, names: list[str]) -> None:
    problems: list[str] = []
    personal = [n for n in names if n.lower() in PERSONAL_COLUMNS]
    if personal:
        problems.append(
            f"row 1: column(s) {', '.join(personal)} identify people — this data set has no"
            " names or personal identifiers: delete those columns"
        )
    expected = set(WORKFORCE_COLUMNS)
    for index, name in enumerate(names, start=1):
        if not name:
            problems.append(f"row 1, column {index}: empty column name")
        elif name not in expected and name.lower() not in PERSONAL_COLUMNS:
            hint = f" (did you mean '{name.lower()}'?)" if name.lower() in expected else ""
            problems.append(f"row 1: unknown column '{name}'{hint} — remove it")
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        problems.append(f"row 1: column(s) {', '.join(duplicated)} appear more than once")
    missing = [n for n in WORKFORCE_COLUMNS if n not in names]
    if missing:
        problems.append(f"row 1: missing column(s) {', '.join(missing)}")
    if problems:
        raise WorkforceFileError(path, problems)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not raw:
            raise ValueError(f"empty — expected a whole number from {low} to {high}")
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a whole number — expected {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range — expected {low} to {high}")
        return value

    return parse


def _yes_no(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f"'{raw}' — expected si or no")


def _choice(choices: tuple[str, ...], normalise: Callable[[str], str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = normalise(raw)
        if value not in choices:
            raise ValueError(f"'{raw}' — expected one of {', '.join(choices)}")
        return value

    return parse


def _site(raw: str) -> str:
    if not raw:
        raise ValueError("empty — write the site (e.g. the town) of the workplace")
    if len(raw) > SITE_LENGTH:
        raise ValueError(f"longer than {SITE_LENGTH} characters")
    return raw


_PARSERS: dict[str, Callable[[str], Any]] = {
    "eta": _integer(MIN_AGE, MAX_AGE),
    "genere": _choice(GENDERS, str.upper),
    "contratto": _choice(CONTRACTS, str.lower),
    "part_time": _yes_no,
    "figli_0_2": _integer(0, MAX_CHILDREN),
    "figli_3_5": _integer(0, MAX_CHILDREN),
    "figli_6_13": _integer(0, MAX_CHILDREN),
    "figli_14_18": _integer(0, MAX_CHILDREN),
    "caregiver": _yes_no,
    "minuti_tragitto": _integer(0, MAX_COMMUTE_MINUTES),
    "turni": _yes_no,
    "sede": _site,
    "anzianita_anni": _integer(0, MAX_SENIORITY),
}
