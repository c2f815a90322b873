"""Button payloads: short strings (Telegram allows 64 bytes) that name an action and its target.

Every button the desk draws is made here and read back here, so a payload from an old message
or a forged one is recognised as such instead of crashing a handler.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSENT_YES = "consent:yes"
CONSENT_NO = "consent:no"
ROLE_WORKER = "role:worker"
ROLE_COMPANY = "role:company"
COMPANY_NONE = "company:none"
HUMAN = "human"
REPHRASE = "rephrase"
PRIVACY_EXPORT = "privacy:export"
PRIVACY_ERASE = "privacy:erase"
ERASE_YES = "erase:yes"
ERASE_NO = "erase:no"


@dataclass(frozen=True)
class Action:
    name: str
    interaction_id: int | None = None
    value: str | None = None


def feedback(interaction_id: int, helpful: bool) -> str:
    return f"fb:{interaction_id}:{1 if helpful else 0}"


def pick(interaction_id: int, position: int | None) -> str:
    """Choose candidate `position` of a clarifying question (None: none of them)."""
    return f"pick:{interaction_id}:{'none' if position is None else position}"


def parse(data: str) -> Action | None:
    """The action behind a payload, or None when the payload is not one of ours."""
    simple = {
        CONSENT_YES,
        CONSENT_NO,
        ROLE_WORKER,
        ROLE_COMPANY,
        COMPANY_NONE,
        HUMAN,
        REPHRASE,
        PRIVACY_EXPORT,
        PRIVACY_ERASE,
        ERASE_YES,
        ERASE_NO,
    }
    if data in simple:
        return Action(data)
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in ("fb", "pick") or not parts[1].isdigit():
        return None
    interaction_id, value = int(parts[1]), parts[2]
    if parts[0] == "fb" and value in ("0", "1"):
        return Action("feedback", interaction_id, value)
    if parts[0] == "pick" and (value == "none" or (value.isdigit() and int(value) < 10)):
        return Action("pick", interaction_id, value)
    return None
