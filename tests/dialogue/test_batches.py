"""`DialogueEngine.handle_many`: turns that arrive together, one transaction, one result each."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers import DialogueEngine, Incoming, Outcome, Pseudonymizer, Turn, callbacks
from handlers.flows import onboarding
from storage import Database, Interaction, ProcessedUpdate, User, load_turn_state
from storage.models import LANGUAGE_LENGTH
from tests.conftest import KEY, DeskParts, make_engine

pytestmark = pytest.mark.integration

NIDO = "posso farmi rimborsare la retta dell'asilo nido?"
BUONI = "fino a quanto sono esenti i buoni pasto elettronici?"
TOO_LONG_LANGUAGE = "x" * (LANGUAGE_LENGTH + 1)
"""A language code the users table cannot hold: storage refuses the turn that carries it."""


class Turns:
    """Builds turns of several users on one clock, each a few seconds after the one before."""

    def __init__(self) -> None:
        self._clock = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
        self._update_ids = itertools.count(1)

    def __call__(self, user_id: int, **fields: object) -> Incoming:
        self._clock += dt.timedelta(seconds=5)
        turn = Turn(
            channel="test",
            user_id=user_id,
            chat_id=user_id,
            at=self._clock,
            **fields,  # type: ignore[arg-type]
        )
        return Incoming(turn, next(self._update_ids))


def user_ref(user_id: int) -> str:
    return Pseudonymizer(KEY).user_ref("test", user_id)


def users_by_ref(database: Database) -> dict[str, User]:
    with database.session() as session:
        return {user.user_ref: user for user in session.scalars(select(User))}


def processed_updates(database: Database) -> set[int]:
    """The update ids remembered (each key is the id, then a digest of what it carried)."""
    with database.session() as session:
        return {int(key.split(":")[0]) for key in session.scalars(select(ProcessedUpdate.key))}


def interaction_count(database: Database) -> int:
    with database.session() as session:
        return len(session.scalars(select(Interaction.id)).all())


def outcomes(results: list[Outcome | Exception]) -> list[Outcome]:
    """The results, which must all be outcomes (an exception fails the test with its text)."""
    for result in results:
        if isinstance(result, Exception):
            raise AssertionError(f"a turn failed: {result!r}") from result
    return [result for result in results if isinstance(result, Outcome)]


@pytest.fixture
def other_database(tmp_path: Path) -> Iterator[Database]:
    """A second, fresh database: the same turns replayed one by one end up here."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    db.upgrade()
    yield db
    db.dispose()


def interleaved_conversations() -> list[Incoming]:
    """Three users whose turns interleave: onboarding, questions before and after consent."""
    turn = Turns()
    return [
        turn(1, command="start"),
        turn(2, text=NIDO),  # before consent: held until onboarding ends
        turn(1, button=callbacks.CONSENT_YES),
        turn(3, command="aiuto"),
        turn(1, button=callbacks.ROLE_WORKER),
        turn(2, button=callbacks.CONSENT_YES),
        turn(1, button=callbacks.COMPANY_NONE),
        turn(2, button=callbacks.ROLE_WORKER),
        turn(1, text=BUONI),
        turn(2, button=callbacks.COMPANY_NONE),  # answers the held question
        turn(3, text="ciao"),
        turn(1, text="e per il nido di mia figlia?"),
    ]


def test_a_batch_replies_as_the_same_turns_handled_one_by_one(
    engine: DialogueEngine, database: Database, other_database: Database, desk_parts: DeskParts
) -> None:
    batch = interleaved_conversations()
    together = outcomes(engine.handle_many(batch))
    one_by_one_engine = make_engine(other_database, desk_parts)
    one_by_one = [one_by_one_engine.handle(i.turn, i.update_id) for i in batch]

    assert len(together) == len(batch)
    assert [o.replies for o in together] == [o.replies for o in one_by_one]
    assert [o.interaction_id for o in together] == [o.interaction_id for o in one_by_one]
    assert not any(o.ignored for o in together)
    # the conversations really went somewhere: both answers, one of them the held question
    texts = ["\n".join(r.text for r in o.replies) for o in together]
    assert "Fonte:" in texts[8] and "buoni pasto" in texts[8].lower()
    assert "Ora rispondo alla domanda" in texts[9] and "nido" in texts[9].lower()
    logged = sum(o.interaction_id is not None for o in together)  # consented turns only
    assert 0 < logged < len(batch)
    assert interaction_count(database) == interaction_count(other_database) == logged
    assert processed_updates(database) == {i.update_id for i in batch}


def test_turns_of_one_user_in_one_batch_are_applied_in_order(
    engine: DialogueEngine, database: Database
) -> None:
    turn = Turns()
    start, consent = outcomes(
        engine.handle_many([turn(7, command="start"), turn(7, button=callbacks.CONSENT_YES)])
    )
    assert "privacy" in start.replies[0].text
    assert "tu sei" in consent.replies[0].text  # the button met the step /start had just set
    with database.session() as session:
        state = load_turn_state(session, user_ref=user_ref(7))
    assert state is not None and state.consent_at is not None
    assert (state.flow.flow, state.flow.step) == (onboarding.FLOW, onboarding.ROLE)


def test_a_duplicate_update_in_one_batch_is_ignored_the_second_time(
    engine: DialogueEngine, database: Database
) -> None:
    turn = Turns()
    first = turn(8, command="start")
    again = Incoming(turn(8, command="start").turn, first.update_id)
    other = turn(9, command="aiuto")
    handled, duplicate, unrelated = outcomes(engine.handle_many([first, again, other]))
    assert not handled.ignored and "privacy" in handled.replies[0].text
    assert duplicate.ignored and duplicate.replies == [] and duplicate.interaction_id is None
    assert not unrelated.ignored and unrelated.replies
    assert interaction_count(database) == 0  # before consent no turn is logged at all


def test_a_failing_turn_costs_only_itself(engine: DialogueEngine, database: Database) -> None:
    turn = Turns()
    batch = [
        turn(11, command="start"),
        turn(12, command="start", language=TOO_LONG_LANGUAGE),
        turn(11, button=callbacks.CONSENT_YES),
        turn(13, text=NIDO),
    ]
    start, failed, consent, question = engine.handle_many(batch)

    assert isinstance(failed, ValueError) and "language" in str(failed)
    assert isinstance(start, Outcome) and "privacy" in start.replies[0].text
    assert isinstance(consent, Outcome) and "tu sei" in consent.replies[0].text
    assert isinstance(question, Outcome) and "privacy" in question.replies[0].text
    # the others' effects are committed, once each; nothing of the failed turn is
    users = users_by_ref(database)
    assert set(users) == {user_ref(11), user_ref(13)}
    assert users[user_ref(11)].consent_at is not None
    assert interaction_count(database) == 1  # the consent; turns before it are not logged
    updates = [i.update_id for i in batch]
    assert processed_updates(database) == {updates[0], updates[2], updates[3]}
    # the failed update was not marked as handled: delivered again, fixed, it goes through
    retried = engine.handle(replace(batch[1].turn, language="it"), batch[1].update_id)
    assert not retried.ignored and "privacy" in retried.replies[0].text
    assert engine.handle(batch[0].turn, batch[0].update_id).ignored


def test_handle_raises_what_its_single_turn_raised(
    engine: DialogueEngine, database: Database
) -> None:
    bad = turn_of(21, language=TOO_LONG_LANGUAGE)
    with pytest.raises(ValueError, match="language"):
        engine.handle(bad, 500)
    assert users_by_ref(database) == {}
    assert processed_updates(database) == set()
    assert interaction_count(database) == 0
    fixed = engine.handle(turn_of(21, language="it"), 500)  # same update, redelivered
    assert not fixed.ignored and "privacy" in fixed.replies[0].text


def test_an_empty_batch_has_no_results(engine: DialogueEngine, database: Database) -> None:
    assert engine.handle_many([]) == []
    assert interaction_count(database) == 0


def turn_of(user_id: int, **fields: object) -> Turn:
    at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    return Turn(
        channel="test",
        user_id=user_id,
        chat_id=user_id,
        at=at,
        command="start",
        **fields,  # type: ignore[arg-type]
    )
