"""A chat driver that plays a user's side of a conversation through the real engine."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Self

from handlers import DialogueEngine, Outcome, Reply, Turn


class Chat:
    """Plays one user's side of a conversation and remembers the last buttons shown."""

    _update_ids = itertools.count(1)

    def __init__(self, engine: DialogueEngine, user_id: int = 42) -> None:
        self.engine = engine
        self.user_id = user_id
        self.last: list[Reply] = []
        self.clock = self.start_clock()

    @classmethod
    def onboarded(cls, engine: DialogueEngine, user_id: int = 42) -> Self:
        """A worker past the privacy notice and the role, without a company code."""
        chat = cls(engine, user_id)
        chat.onboard()
        return chat

    @staticmethod
    def start_clock() -> dt.datetime:
        return dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    def _turn(self, **fields: object) -> Turn:
        self.clock += dt.timedelta(seconds=5)
        base = Turn(channel="test", user_id=self.user_id, chat_id=self.user_id, at=self.clock)
        return replace(base, **fields)  # type: ignore[arg-type]

    def send(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            head, *args = text[1:].split()
            return self._handle(self._turn(command=head, args=tuple(args)))
        return self._handle(self._turn(text=text))

    def press(self, label: str) -> list[Reply]:
        buttons = [b for r in self.last for row in r.buttons for b in row]
        matching = [b for b in buttons if label in b.label]
        assert matching, f"no button {label!r} among {[b.label for b in buttons]}"
        return self._handle(self._turn(button=matching[0].data))

    def press_data(self, data: str) -> list[Reply]:
        return self._handle(self._turn(button=data))

    def handle(self, turn: Turn, update_id: int | None = None) -> Outcome:
        outcome = self.engine.handle(turn, update_id)
        if outcome.replies:
            self.last = outcome.replies
        return outcome

    def _handle(self, turn: Turn) -> list[Reply]:
        return self.handle(turn, next(self._update_ids)).replies

    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def onboard(self, role: str = "Lavoratore") -> None:
        self.send("/start")
        self.press("Sì, va bene")
        self.press(role)
        self.press("Non ce l'ho")
