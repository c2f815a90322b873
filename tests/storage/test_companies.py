"""Companies: codes people type, in any case; joining one."""

from __future__ import annotations

import pytest

from storage import (
    Database,
    NotFoundError,
    add_company,
    find_company,
    find_user,
    join_company,
    list_companies,
)
from tests.storage.builders import NOW, add_user


def test_a_new_company_gets_a_normalised_code(db: Database) -> None:
    with db.session() as session:
        company = add_company(session, code="  acme-01 ", name=" Acme S.p.A. ", now=NOW)
        assert (company.code, company.name, company.created_at) == ("ACME-01", "Acme S.p.A.", NOW)
        assert isinstance(company.id, int)


def test_codes_are_found_whatever_the_case(db: Database) -> None:
    with db.session() as session:
        created = add_company(session, code="ACME-01", name="Acme", now=NOW)
    with db.session() as session:
        for typed in ("acme-01", " Acme-01 ", "ACME-01"):
            found = find_company(session, code=typed)
            assert found is not None and found.id == created.id
        assert find_company(session, code="NOPE") is None
        assert find_company(session, code="") is None


def test_a_code_is_unique_whatever_its_case(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="ACME", name="Acme", now=NOW)
    with db.session() as session:
        with pytest.raises(ValueError, match="ACME already exists"):
            add_company(session, code="acme", name="Another Acme", now=NOW)
        # the refused insert left the transaction usable
        add_company(session, code="BETA", name="Beta", now=NOW)
    with db.session() as session:
        assert [(c.code, c.name) for c in list_companies(session)] == [
            ("ACME", "Acme"),
            ("BETA", "Beta"),
        ]


@pytest.mark.parametrize(
    "code", ["AB", "A" * 33, "ACME 01", "ACMÈ", "AC_ME", "", "   ", "ACME/1", "ACME\t01"]
)
def test_malformed_codes_are_refused(db: Database, code: str) -> None:
    with db.session() as session:
        with pytest.raises(ValueError, match="3-32 characters of A-Z, 0-9 and '-'"):
            add_company(session, code=code, name="Acme", now=NOW)
        assert list_companies(session) == []


def test_codes_at_the_length_limits_are_accepted(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="a-1", name="Short", now=NOW)
        add_company(session, code="Z" * 32, name="Long", now=NOW)
    with db.session() as session:
        assert [c.code for c in list_companies(session)] == ["A-1", "Z" * 32]


def test_a_company_needs_a_name(db: Database) -> None:
    with db.session() as session, pytest.raises(ValueError, match="company name"):
        add_company(session, code="ACME", name="  ", now=NOW)


def test_companies_are_listed_by_code(db: Database) -> None:
    with db.session() as session:
        for code in ("ZETA", "ALFA", "MEDIA-2"):
            add_company(session, code=code, name=code.title(), now=NOW)
    with db.session() as session:
        assert [c.code for c in list_companies(session)] == ["ALFA", "MEDIA-2", "ZETA"]


def test_joining_a_company_by_code(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW)
        add_user(session, "ref-anna", telegram_user_id=111)
    with db.session() as session:
        joined = join_company(session, user_ref="ref-anna", code=" acme ")
        assert joined is not None and joined.id == acme.id
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
    assert user is not None and user.company_id == acme.id
    assert user.company is not None and user.company.code == "ACME"  # loaded with the user


def test_an_unknown_code_leaves_the_user_where_they_were(db: Database) -> None:
    with db.session() as session:
        acme = add_company(session, code="ACME", name="Acme", now=NOW)
        add_user(session, "ref-anna", telegram_user_id=111)
        join_company(session, user_ref="ref-anna", code="ACME")
    with db.session() as session:
        assert join_company(session, user_ref="ref-anna", code="UNKNOWN-CODE") is None
    with db.session() as session:
        user = find_user(session, user_ref="ref-anna")
        assert user is not None and user.company_id == acme.id


def test_joining_needs_a_known_user(db: Database) -> None:
    with db.session() as session:
        add_company(session, code="ACME", name="Acme", now=NOW)
        with pytest.raises(NotFoundError):
            join_company(session, user_ref="ref-ghost", code="ACME")
