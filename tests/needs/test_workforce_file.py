"""Reading workforce data sets: the formats people actually send, and the broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from needs import WorkforceFileError, read_workforce, write_synth
from needs.workforce import decode_text, sniff_delimiter
from storage import WORKFORCE_COLUMNS

pytestmark = pytest.mark.unit

HEADER = ",".join(WORKFORCE_COLUMNS)
ROW = "34,F,indeterminato,si,1,0,0,0,no,50,no,Torino,6"


def write(tmp_path: Path, text: str, name: str = "personale.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(WorkforceFileError) as caught:
        read_workforce(path)
    assert "nothing was stored" in str(caught.value)
    return caught.value.problems


def test_a_plain_csv_is_read_with_every_value_typed(tmp_path: Path) -> None:
    (employee,) = read_workforce(write(tmp_path, f"{HEADER}\n{ROW}\n"))
    assert employee.as_row() == {
        "row": 2,
        "eta": 34,
        "genere": "F",
        "contratto": "indeterminato",
        "part_time": True,
        "figli_0_2": 1,
        "figli_3_5": 0,
        "figli_6_13": 0,
        "figli_14_18": 0,
        "caregiver": False,
        "minuti_tragitto": 50,
        "turni": False,
        "sede": "Torino",
        "anzianita_anni": 6,
    }


def test_columns_in_any_order(tmp_path: Path) -> None:
    names = list(reversed(WORKFORCE_COLUMNS))
    values = list(reversed(ROW.split(",")))
    (employee,) = read_workforce(write(tmp_path, f"{','.join(names)}\n{','.join(values)}\n"))
    assert (employee.eta, employee.sede, employee.anzianita_anni) == (34, "Torino", 6)


def test_italian_excel_semicolons_windows_1252_and_si_with_accent(tmp_path: Path) -> None:
    header = ";".join(WORKFORCE_COLUMNS)
    row = "51;M;determinato;no;0;0;2;0;sì;70;sì;Località Bràida;20"
    path = write(tmp_path, f"{header}\r\n{row}\r\n", encoding="cp1252")
    (employee,) = read_workforce(path)
    assert employee.caregiver and employee.turni and employee.sede == "Località Bràida"


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode())
    (employee,) = read_workforce(path)
    assert employee.eta == 34


def test_utf8_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    text = f"{';'.join(WORKFORCE_COLUMNS)}\n{ROW.replace(',', ';').replace('si', 'sì')}\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    (employee,) = read_workforce(path)
    assert employee.part_time


def test_xlsx_with_numbers_as_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(WORKFORCE_COLUMNS))
    sheet.append([29, "X", "apprendistato", "no", 0, 0, 0, 0, "no", 12.0, "si", "Asti", 1])
    path = tmp_path / "personale.xlsx"
    workbook.save(path)
    (employee,) = read_workforce(path)
    assert (employee.genere, employee.minuti_tragitto, employee.turni) == ("X", 12, True)


def test_a_broken_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "not a readable XLSX workbook" in problems(path)[0]


def test_an_old_xls_or_an_unreadable_csv_is_refused_with_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "personale.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert problems(old) == [
        "an old Excel .xls workbook — save it as .xlsx or as CSV and import that"
    ]
    huge = tmp_path / "huge.csv"
    huge.write_text(f'{HEADER}\n{ROW}\n34,"{"x" * 200_000}"\n', "utf-8")
    assert problems(huge) == ["row 3: field larger than field limit (131072)"]


def test_an_empty_file(tmp_path: Path) -> None:
    assert "the file is empty" in problems(write(tmp_path, ""))[0]
    assert "the file is empty" in problems(write(tmp_path, "\n\n"))[0]


def test_a_header_without_rows(tmp_path: Path) -> None:
    assert problems(write(tmp_path, f"{HEADER}\n")) == [
        "no employee rows after the header — one row per employee is expected"
    ]


def test_an_extra_column_is_refused_by_name(tmp_path: Path) -> None:
    found = problems(write(tmp_path, f"{HEADER},reparto\n{ROW},magazzino\n"))
    assert found == ["row 1: unknown column 'reparto' — remove it"]


def test_a_wrongly_spelled_column_is_named_with_a_hint(tmp_path: Path) -> None:
    found = problems(write(tmp_path, f"{HEADER.replace('eta', 'Eta', 1)}\n{ROW}\n"))
    assert "row 1: unknown column 'Eta' (did you mean 'eta'?) — remove it" in found
    assert "row 1: missing column(s) eta" in found


@pytest.mark.parametrize("column", ["nome", "Cognome", "codice_fiscale", "email", "matricola"])
def test_a_names_column_is_refused_saying_no_personal_names(tmp_path: Path, column: str) -> None:
    found = problems(write(tmp_path, f"{column},{HEADER}\nRossi,{ROW}\n"))
    assert found == [
        f"row 1: column(s) {column} identify people — this data set has no names or personal"
        " identifiers: delete those columns"
    ]


def test_every_bad_value_is_named_by_row_and_column(tmp_path: Path) -> None:
    rows = [
        ROW,
        "14,F,indeterminato,si,1,0,0,0,no,50,no,Torino,6",  # too young
        "34,Q,stagista,forse,1,0,0,0,no,-5,no,,6",  # five problems in one row
        "34,F,indeterminato,si,uno,0,0,0,no,50,no,Torino,6",
    ]
    found = problems(write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert found == [
        "row 3, column eta: 14 is out of range — expected 15 to 80",
        "row 4, column genere: 'Q' — expected one of F, M, X",
        "row 4, column contratto: 'stagista' — expected one of indeterminato, determinato,"
        " apprendistato, somministrato",
        "row 4, column part_time: 'forse' — expected si or no",
        "row 4, column minuti_tragitto: -5 is out of range — expected 0 to 480",
        "row 4, column sede: empty — write the site (e.g. the town) of the workplace",
        "row 5, column figli_0_2: 'uno' is not a whole number — expected 0 to 20",
    ]


def test_a_row_with_too_many_values(tmp_path: Path) -> None:
    found = problems(write(tmp_path, f"{HEADER}\n{ROW},oops\n"))
    assert found == ["row 2: 14 values for 13 columns — remove the values beyond the last column"]


def test_problems_are_capped_but_counted(tmp_path: Path) -> None:
    bad = "\n".join(["99,F,indeterminato,si,1,0,0,0,no,50,no,Torino,6"] * 70)
    found = problems(write(tmp_path, f"{HEADER}\n{bad}\n"))
    assert len(found) == 51 and found[-1] == "… and 20 more problem(s) not listed"


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_number(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW}\n\n{ROW.replace('34', '99', 1)}\n"
    assert problems(write(tmp_path, text)) == [
        "row 4, column eta: 99 is out of range — expected 15 to 80"
    ]


def test_encoding_and_delimiter_detection() -> None:
    assert decode_text("sì".encode()) == "sì"
    assert decode_text("sì".encode("cp1252")) == "sì"
    assert decode_text(b"\xef\xbb\xbfeta") == "eta"
    assert sniff_delimiter("eta;genere;sede") == ";"
    assert sniff_delimiter("eta,genere,sede") == ","
    assert sniff_delimiter("eta\tgenere\tsede") == "\t"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file_format", "rows"),
    # openpyxl parses XLSX cell by cell (~0.5 s per 1,000 rows here): the 50,000-row XLSX
    # import is timed in bench/needs_bench.py instead of slowing every test run.
    [("csv", 50_000), ("csv-excel", 50_000), ("xlsx", 2_000)],
)
def test_large_synthetic_files_in_every_format(tmp_path: Path, file_format: str, rows: int) -> None:
    path = tmp_path / f"big.{'xlsx' if file_format == 'xlsx' else 'csv'}"
    write_synth(path, rows, seed=3, file_format=file_format)
    employees = read_workforce(path)
    assert len(employees) == rows
    assert employees[-1].row == rows + 1
    assert {e.sede for e in employees} == {"Torino", "Novara", "Cuneo", "Asti"}
