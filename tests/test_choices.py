"""A typed answer naming a button: its words first, then its number."""

from __future__ import annotations

from handlers.choices import key_of, typed_choice
from handlers.turns import Button

COUNTS = ((Button("0", "a"), Button("1", "b"), Button("2", "c"), Button("3 o più", "d")),)
CODE = ((Button("Non ce l'ho", "none"),),)


def test_a_label_wins_over_a_position() -> None:
    assert typed_choice("1", COUNTS) == Button("1", "b")
    assert typed_choice("3", COUNTS) == Button("3 o più", "d")
    assert typed_choice("4", COUNTS) == Button("3 o più", "d")  # the fourth button
    assert typed_choice("5", COUNTS) is None


def test_words_match_whatever_the_accents_marks_and_case() -> None:
    assert typed_choice("non ce l'ho", CODE) == CODE[0][0]
    assert typed_choice("NON CE L HO!", CODE) == CODE[0][0]
    assert typed_choice("1", CODE) == CODE[0][0]
    marked = ((Button("✓ 🚗 Auto", "car"), Button("🚲 Bici", "bike")),)
    assert typed_choice("auto", marked) == marked[0][0]
    assert typed_choice("2.", marked) == marked[0][1]


def test_anything_else_is_no_choice() -> None:
    assert typed_choice("non ce l'ho, ma posso chiedere del nido?", CODE) is None
    assert typed_choice("", CODE) is None
    assert typed_choice("🙂", CODE) is None
    assert typed_choice("1", ()) is None


def test_the_key_to_type_is_a_label_s_own_number_else_the_position() -> None:
    keys = [key_of(b, n) for n, b in enumerate(COUNTS[0], start=1)]
    assert keys == ["0", "1", "2", "3"]
    assert all(typed_choice(k, COUNTS) == b for k, b in zip(keys, COUNTS[0], strict=True))
    bands = ((Button("Fino a 15 minuti", "a"), Button("15-30 minuti", "b")),)
    assert [key_of(b, n) for n, b in enumerate(bands[0], start=1)] == ["1", "15"]
    assert typed_choice("15", bands) == bands[0][1]
