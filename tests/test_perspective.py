"""Messages that speak for the company, whatever role their writer chose at onboarding."""

import pytest

from knowledge.perspective import speaks_as_employer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "message",
    [
        "siamo una cooperativa sociale, da dove partiamo con il welfare?",
        "Siamo una piccola ditta di pulizie",
        "i nostri dipendenti possono usare il credito per la palestra?",
        "come datore di lavoro cosa devo conservare delle bollette?",
        "sono la titolare di un bar con 6 dipendenti",
        "quanto risparmiamo se diamo 500 euro di welfare?",
        "la nostra azienda può dedurre il costo del piano?",
        "obblighi del datore di lavoro per i fringe benefit",
    ],
)
def test_employer_voice_is_recognised(message: str) -> None:
    assert speaks_as_employer(message)


@pytest.mark.parametrize(
    "message",
    [
        "non siamo sposati ma viviamo insieme, vale il welfare per lei?",
        "siamo a novembre e ho ancora credito, lo perdo?",
        "il mio datore di lavoro mi dà il welfare, come lo uso?",
        "posso usare il welfare per mia suocera?",
        "abbiamo un figlio al nido, si può rimborsare la retta?",
    ],
)
def test_a_workers_own_question_is_not_the_employers(message: str) -> None:
    assert not speaks_as_employer(message)
