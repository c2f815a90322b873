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
            "urgente urgente urgente il nido urgente urgente me lo rimborsano??? "
            "per favore per favore",
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


def test_a_long_message_is_searched_by_what_it_asks() -> None:
    message = (
        "Buongiorno buongiorno a tutti, scusate il disturbo, sono Rosaria e lavoro come addetta "
        "alle pulizie da sei anni. Mia mamma ha 84 anni e vive con me, abbiamo preso una badante "
        "regolare, ed è una spesa grossa grossa grossa per noi. Volevo sapere, per favore per "
        "favore per favore, se con il welfare posso farmi ridare quello che pago alla badante. "
        "Mi hanno detto tante cose diverse. Vi ringrazio tantissimo tantissimo per la pazienza, "
        "buona giornata. Rosaria B. - Coop. Il Girasole"
    )
    assert condense(message) == (
        "Volevo sapere, per favore, se con il welfare posso farmi ridare quello che pago alla "
        "badante."
    )
