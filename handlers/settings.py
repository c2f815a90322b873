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
