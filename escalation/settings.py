"""Escalation settings (config section `escalation`): where managers work, and the SLA."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, model_validator


class EscalationSettings(BaseModel):
    managers_chat_id: int | None = Field(
        default=None,
        description="the managers' Telegram supergroup (a forum gives each ticket a topic);"
        " null: no tickets, /operatore shows the desk's contacts",
    )
    first_response_hours: float = Field(
        default=8.0, gt=0, description="first-response target, in working hours"
    )
    reminder_share: float = Field(
        default=0.75,
        gt=0,
        lt=1,
        description="share of the target after which the manager is reminded",
    )
    workday_start: dt.time = dt.time(9, 0)
    workday_end: dt.time = dt.time(18, 0)
    workdays: tuple[int, ...] = Field(
        default=(0, 1, 2, 3, 4), description="working weekdays, Monday = 0"
    )
    timezone: str = "Europe/Rome"
    transcript_turns: int = Field(
        default=6, ge=1, le=50, description="recent turns shared when the worker agrees"
    )
    transcript_hours: int = Field(
        default=24, ge=1, description="how far back the shared conversation goes"
    )

    @model_validator(mode="after")
    def _a_day_has_hours(self) -> EscalationSettings:
        if self.workday_end <= self.workday_start:
            raise ValueError("escalation.workday_end must come after workday_start")
        if not self.workdays or any(day not in range(7) for day in self.workdays):
            raise ValueError("escalation.workdays: weekday numbers 0 (Monday) to 6 (Sunday)")
        return self

    @property
    def enabled(self) -> bool:
        return self.managers_chat_id is not None
