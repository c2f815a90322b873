"""Settings of the conversation itself (the composition root fills them from config.yml)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DialogueSettings(BaseModel):
    consent_version: str = Field(
        default="2026-11", description="bump when the privacy notice changes: users re-consent"
    )
    retention_days: int = Field(
        default=90, ge=1, description="days the text of unanswered questions is kept"
    )
    smalltalk_confidence: float = Field(
        default=0.7, ge=0, le=1, description="intent confidence to treat a message as small talk"
    )
    smalltalk_max_words: int = Field(
        default=6, ge=1, description="longer messages always go to the knowledge base first"
    )
    desk_email: str | None = None
    desk_phone: str | None = None
    desk_hours: str | None = None
    max_sources_shown: int = Field(default=2, ge=1)


class RetentionSettings(BaseModel):
    """How long people and the detailed log are remembered (config section `privacy`)."""

    inactive_user_days: int = Field(
        default=365,
        ge=1,
        description="people who have not written for this long are erased, chat link included",
    )
    log_user_ref_days: int = Field(
        default=90,
        ge=1,
        description="after this many days a turn of the interaction log is folded into the"
        " daily counts (day, intent, decision, topic); at least dialogue.retention_days",
    )
