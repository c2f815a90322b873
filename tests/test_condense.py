import pytest

from knowledge.condense import condense

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("message", "question"),
    [
        (
            "Buongiorno, sono Maria del magazzino. Volevo chiedere se posso farmi rimborsare "
            "la retta del nido. Grazie mille, saluti\nMaria Rossi",
            "sono Maria del magazzino. Volevo chiedere se posso farmi rimborsare "
            "la retta del nido.",
        ),
        ("buongiorno, buoni pasto in smart working?", "buoni pasto in smart working?"),
        (
            "urgente urgente urgente il nido urgente urgente me lo rimborsano??? urgente",
            "urgente il nido urgente me lo rimborsano???",
        ),
        (
            "Salve, il credito welfare scade a dicembre? Il credito welfare scade a dicembre?",
            "il credito welfare scade a dicembre?",
        ),
        ("Ho una domanda. Buoni pasto", "Ho una domanda. Buoni pasto"),
        ("Grazie. Mi spiegate il fringe benefit?", "Mi spiegate il fringe benefit?"),
    ],
)
def test_courtesies_signatures_and_repetitions_go(message: str, question: str) -> None:
    assert condense(message) == question


@pytest.mark.parametrize("message", ["ciao", "grazie mille!", "Cordiali saluti", "rimborso", "ok"])
def test_a_message_that_is_only_courtesy_or_one_word_is_kept(message: str) -> None:
    assert condense(message) == message


def test_a_question_at_the_end_is_never_taken_for_a_signature() -> None:
    assert condense("Grazie.\nBuoni pasto Edenred?") == "Buoni pasto Edenred?"
    assert condense("Ciao. Ho due figli. Nido Comunale") == "Ho due figli. Nido Comunale"
