"""`sportello companies plan`, `workforce import|synth`, `report needs`: exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import WORKFORCE_COLUMNS
from tests.conftest import run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {"SPORTELLO__DATA_DIR": str(tmp_path / "var"), "SPORTELLO__LOG_LEVEL": "ERROR"}
    assert run_cli("companies", "add", "ACME", "Acme SpA", env=environment).returncode == 0
    return environment


def test_synth_import_and_report_in_every_format(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "personale.csv"
    synth = run_cli(
        "workforce",
        "synth",
        "--rows",
        "300",
        "--seed",
        "4",
        "--format",
        "csv-excel",
        str(data),
        env=env,
    )
    assert synth.returncode == 0, synth.stderr
    assert data.read_bytes().startswith(";".join(WORKFORCE_COLUMNS).encode())
    imported = run_cli("workforce", "import", str(data), "--company", "acme", env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported 300 row(s) for ACME (previous data set replaced)"

    report = run_cli("report", "needs", "--company", "ACME", "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    payload = json.loads(report.stdout)
    assert list(payload) == ["company", "workforce", "interview", "suggestions"]
    assert payload["workforce"]["headcount"] == 300
    assert payload["interview"]["respondents"] == {"suppressed": True}

    html = tmp_path / "report.html"
    written = run_cli(
        "report",
        "needs",
        "--company",
        "ACME",
        "--format",
        "html",
        "--by-site",
        "--output",
        str(html),
        env=env,
    )
    assert written.returncode == 0 and written.stdout.strip() == f"report written to {html}"
    page = html.read_text("utf-8")
    assert "<svg" in page and "Sede: Torino" in page and "Analisi dei bisogni — ACME" in page

    table = run_cli("report", "needs", "--company", "ACME", "--format", "csv", env=env)
    assert table.stdout.startswith("section,group,key,count,share,suppressed,note\n")
    assert "workforce,all,headcount,300,,false," in table.stdout


def test_a_bad_file_stores_nothing_and_names_row_and_column(
    tmp_path: Path, env: dict[str, str]
) -> None:
    good = tmp_path / "good.csv"
    run_cli("workforce", "synth", "--rows", "20", str(good), env=env, check=True)
    run_cli("workforce", "import", str(good), "--company", "ACME", env=env, check=True)
    lines = good.read_text("utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines[:5], lines[5].replace(",no,", ",forse,", 1)]) + "\n", "utf-8")
    refused = run_cli("workforce", "import", str(bad), "--company", "ACME", env=env)
    assert refused.returncode == 1
    assert "not imported, nothing was stored" in refused.stderr
    assert "row 6, column part_time: 'forse' — expected si or no" in refused.stderr
    named = tmp_path / "names.csv"
    named.write_text(f"nome,{lines[0]}\nAnna,{lines[1]}\n", "utf-8")
    refused = run_cli("workforce", "import", str(named), "--company", "ACME", env=env)
    assert refused.returncode == 1 and "no names or personal identifiers" in refused.stderr
    report = run_cli("report", "needs", "--company", "ACME", env=env)
    assert json.loads(report.stdout)["workforce"]["headcount"] == 20  # the old data set


def test_unknown_company_missing_file_and_too_few_people(
    tmp_path: Path, env: dict[str, str]
) -> None:
    small = tmp_path / "small.csv"
    run_cli("workforce", "synth", "--rows", "9", str(small), env=env, check=True)
    unknown = run_cli("workforce", "import", str(small), "--company", "NOPE", env=env)
    assert unknown.returncode == 2
    assert "nessuna azienda con codice 'NOPE'" in unknown.stderr
    missing = run_cli("workforce", "import", str(tmp_path / "no.csv"), "--company", "ACME", env=env)
    assert missing.returncode == 2 and "No such file" in missing.stderr
    empty = run_cli("report", "needs", "--company", "ACME", env=env)
    assert empty.returncode == 1 and "no workforce data set and no interviews" in empty.stderr
    run_cli("workforce", "import", str(small), "--company", "ACME", env=env, check=True)
    few = run_cli("report", "needs", "--company", "ACME", env=env)
    assert few.returncode == 1 and "has 9 people; a report needs at least 10" in few.stderr


def test_k_below_five_is_refused_at_start(env: dict[str, str]) -> None:
    result = run_cli(
        "report",
        "needs",
        "--company",
        "ACME",
        env={**env, "SPORTELLO__PRIVACY__MIN_GROUP_SIZE": "4"},
    )
    assert result.returncode == 2
    assert (
        "privacy.min_group_size" in result.stderr and "greater than or equal to 5" in result.stderr
    )


def test_companies_plan(tmp_path: Path, env: dict[str, str]) -> None:
    plan = tmp_path / "piano.yml"
    plan.write_text("measures: [rimborso-asilo-nido, buoni-pasto]\ncredit: 600\n", "utf-8")
    saved = run_cli("companies", "plan", "acme", str(plan), env=env)
    assert saved.returncode == 0 and saved.stdout.strip() == "plan of ACME: 2 measure(s) saved"
    plan.write_text("measures: [asilo-aziendale]\n", "utf-8")
    refused = run_cli("companies", "plan", "ACME", str(plan), env=env)
    assert refused.returncode == 1 and "'asilo-aziendale' is not a topic" in refused.stderr
    plan.write_text("measures: [buoni-pasto]\n", "utf-8")
    unknown = run_cli("companies", "plan", "NOPE", str(plan), env=env)
    assert unknown.returncode == 2 and "nessuna azienda con codice 'NOPE'" in unknown.stderr
