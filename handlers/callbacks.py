"""Button payloads: `flow:step:value[:ref]`, at most 64 bytes (Telegram's limit).

Every payload names the flow and the step that drew the button, so the engine can hand a press
to that flow and the flow can check it against the state the conversation is in now: a button
from an old message, or a forged one, is recognised as such instead of acting on a state that
has moved on. `ref` is a number the button refers to (an interaction id), when it needs one.
Payloads are made here and read back here, strictly: anything else is not ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_TOKEN = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_VALUE = re.compile(r"^[a-z0-9_]{1,16}$")
_REF = re.compile(r"^[0-9]{1,18}$")


@dataclass(frozen=True)
class Press:
    """A pressed button: which flow and step drew it, the choice, and what it refers to."""

    flow: str
    step: str
    value: str
    ref: int | None = None


def make(flow: str, step: str, value: str, ref: int | None = None) -> str:
    """The payload for a button of `flow` drawn at `step`; raises on what `parse` would refuse."""
    data = f"{flow}:{step}:{value}" + ("" if ref is None else f":{ref}")
    if parse(data) != Press(flow, step, value, ref):
        raise ValueError(f"not a valid button payload: {data!r}")
    return data


def parse(data: str) -> Press | None:
    """The press behind a payload, or None when the payload is not one of ours."""
    if len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) not in (3, 4):
        return None
    flow, step, value = parts[:3]
    if not (_TOKEN.match(flow) and _TOKEN.match(step) and _VALUE.match(value)):
        return None
    if len(parts) == 4:
        if not _REF.match(parts[3]):
            return None
        return Press(flow, step, value, int(parts[3]))
    return Press(flow, step, value)


# The onboarding buttons, named for the tests and the dialogue evaluation that drive onboarding.
CONSENT_YES = "onboarding:consent:yes"
CONSENT_NO = "onboarding:consent:no"
ROLE_WORKER = "onboarding:role:worker"
ROLE_COMPANY = "onboarding:role:company"
COMPANY_NONE = "onboarding:company:none"
LANGUAGE_MENU = "language:menu:show"
"""Opens the language choice (/lingua) from any message: the privacy notice, the profile."""
