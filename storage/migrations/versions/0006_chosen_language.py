"""Users keep the language they chose (/lingua) and the one their conversation is in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`language` stays what Telegram's client says (a hint only). `chosen_language` is the user's own
choice and overrides detection; `chat_language` is the language detected in their latest sure
message, so a button press or a command is answered in the language the conversation is in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGE_LENGTH = 16


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("chosen_language", sa.String(LANGUAGE_LENGTH), nullable=True))
        batch.add_column(sa.Column("chat_language", sa.String(LANGUAGE_LENGTH), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("chat_language")
        batch.drop_column("chosen_language")
