"""Typed yes, no and roles in the desk's seven languages (nlu/replies.py)."""

from __future__ import annotations

import pytest

from nlu.replies import role_from_text, yes_or_no


@pytest.mark.parametrize(
    "text",
    [
        "sì",
        "Sì, va bene",
        "yes",
        "yes please",
        "da",
        "Da, sunt de acord",
        "po",
        "po, pranoj",
        "نعم",
        "أوافق",
        "sí",
        "de acuerdo",
        "oui",
        "oui merci",
        "d'accord",
        "j’accepte",
    ],
)
def test_yes_in_every_language(text: str) -> None:
    assert yes_or_no(text) == "affirm"


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "no grazie",
        "non accetto",
        "nu",
        "nu, mulțumesc",
        "nu sunt de acord",
        "jo",
        "لا",
        "لا شكرا",
        "no gracias",
        "non",
        "je n'accepte pas",
        "no thanks",
    ],
)
def test_no_in_every_language(text: str) -> None:
    assert yes_or_no(text) == "deny"


@pytest.mark.parametrize(
    "text", ["", "grazie", "no, ma per il nido come faccio?", "sì e no", "da unde", "ok forse"]
)
def test_anything_else_is_neither(text: str) -> None:
    assert yes_or_no(text) is None


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("sono un lavoratore", "worker"),
        ("I'm an employee", "worker"),
        ("sunt angajată", "worker"),
        ("sunt muncitoare", "worker"),
        ("sunt lucrătoare", "worker"),
        ("sunt angajator", "company"),
        ("jam punëtore", "worker"),
        ("punëdhënës", "company"),
        ("أنا موظفة", "worker"),
        ("صاحب العمل", "company"),
        ("soy empleado", "worker"),
        ("soy el empleador", "company"),
        ("je suis salarié", "worker"),
        ("ressources humaines", "company"),
        ("employé", "worker"),
        ("employeur", "company"),
        ("trabajo en recursos humanos", "company"),
        ("boh", None),
    ],
)
def test_roles_in_every_language(text: str, role: str | None) -> None:
    assert role_from_text(text) == role
