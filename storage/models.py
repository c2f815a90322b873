"""The tables. Rows are plain mapped classes; the repositories are the only writers.

Privacy shapes the layout: `chat_links` is the one table that ties a pseudonymous `user_ref`
to Telegram, so erasing a person is deleting a handful of rows. `interactions` is the
detailed, pseudonymous log of recent turns; when its user is erased, or once a row is older
than the configured period, the row is folded into `interaction_counts` (turns per day,
channel, kind, intent, decision and topic) and deleted: the statistics stay, nothing that
could single out a person's session does (no ids, times, scores, feedback or entry ids).

Every enumerated value is checked by the database too (CHECK constraints), so rows written by
the console or by hand cannot drift from what the code understands. Constraint names follow
`NAMING_CONVENTION`, which lets Alembic's batch mode alter them on SQLite.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.columns import JSON_VALUE, UtcDateTime, utc_now

ROLES = ("worker", "company", "manager")
CHANNELS = ("telegram", "terminal", "test")
KINDS = ("question", "command", "button", "other")
DECISIONS = ("answer", "clarify", "fallback", "referral")
FEEDBACKS = ("helpful", "not_helpful")
OUTBOX_STATUSES = ("pending", "sent", "refused")

# Column widths, checked by the repositories before PostgreSQL would refuse a value.
USER_REF_LENGTH = 128
COMPANY_CODE_LENGTH = 32
COMPANY_NAME_LENGTH = 200
LANGUAGE_LENGTH = 16
CONSENT_VERSION_LENGTH = 32
FLOW_NAME_LENGTH = 64
INTENT_LENGTH = 128
TOPIC_LENGTH = 64
SHORT_LENGTH = 16
UPDATE_KEY_LENGTH = 64
OUTBOX_KEY_LENGTH = 128
ERROR_LENGTH = 64

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, for the hot-path statements written in Core.

    Mapped classes type `__table__` as any FROM clause; here it is always a plain table.
    """
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (CheckConstraint("code = upper(code)", name="code_upper"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(COMPANY_CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(COMPANY_NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"Company(id={self.id!r}, code={self.code!r})"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(
            "(consent_version IS NULL AND consent_at IS NULL)"
            " OR (consent_version IS NOT NULL AND consent_at IS NOT NULL)",
            name="consent_complete",
        ),
    )

    user_ref: Mapped[str] = mapped_column(String(USER_REF_LENGTH), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_LENGTH))
    """What the user's Telegram client says: a hint for detection only."""
    chosen_language: Mapped[str | None] = mapped_column(String(LANGUAGE_LENGTH))
    """The language chosen with /lingua: the desk writes in it whatever the user writes."""
    chat_language: Mapped[str | None] = mapped_column(String(LANGUAGE_LENGTH))
    """The language of the user's latest message detected with confidence."""
    consent_version: Mapped[str | None] = mapped_column(String(CONSENT_VERSION_LENGTH))
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    blocked: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), onupdate=utc_now)
    # The day (midnight UTC) of the person's latest turn: who has been silent long enough to
    # be forgotten. A day, not a time: it is written once a day, and says no more than that.
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # Wrong company codes in a row, and until when trying another one is paused.
    code_failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    code_paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # Joined: callers read `user.company.code` after their session has closed.
    company: Mapped[Company | None] = relationship(lazy="joined")

    def __repr__(self) -> str:  # no reference, consent or language: repr ends up in logs
        return f"User(role={self.role!r})"


class ChatLink(Base):
    """The only row that ties a pseudonym to a Telegram account; deleted on erasure."""

    __tablename__ = "chat_links"

    user_ref: Mapped[str] = mapped_column(
        ForeignKey("users.user_ref", ondelete="CASCADE"), primary_key=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self) -> str:  # the ids are exactly what must not reach the logs
        return "ChatLink()"


class Conversation(Base):
    """Where a user is in a dialogue flow, so that a restart resumes it."""

    __tablename__ = "conversations"

    user_ref: Mapped[str] = mapped_column(
        ForeignKey("users.user_ref", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(FLOW_NAME_LENGTH))
    step: Mapped[str | None] = mapped_column(String(FLOW_NAME_LENGTH))
    data: Mapped[dict[str, Any]] = mapped_column(JSON_VALUE)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer)


class Interaction(Base):
    """One turn of the pseudonymous log.

    `question_text` is kept only for turns the desk could not answer, and only until
    `retain_until`; the CHECK makes a text without a deadline impossible.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        CheckConstraint(_in("feedback", FEEDBACKS), name="feedback"),
        CheckConstraint(
            "question_text IS NULL OR retain_until IS NOT NULL", name="text_has_deadline"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # No foreign key: turns from channels without a user row are logged too, and the log
    # outlives erasure with this set to NULL.
    user_ref: Mapped[str | None] = mapped_column(String(USER_REF_LENGTH), index=True)
    channel: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    intent: Mapped[str | None] = mapped_column(String(INTENT_LENGTH))
    confidence: Mapped[float | None] = mapped_column(Float)
    decision: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    # The knowledge topic of the answer or of the best candidate: what statistics keep of
    # `entry_ids` once the row is folded into `interaction_counts`.
    topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    entry_ids: Mapped[list[str]] = mapped_column(JSON_VALUE)
    scores: Mapped[list[float]] = mapped_column(JSON_VALUE)
    latency_ms: Mapped[float] = mapped_column(Float)
    feedback: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    question_text: Mapped[str | None] = mapped_column(Text)
    retain_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)

    def __repr__(self) -> str:  # never the question text
        return f"Interaction(id={self.id!r}, decision={self.decision!r})"


class InteractionCount(Base):
    """Turns per day and kind, what is left of the log once it no longer points at anyone.

    Rows are added to, never keyed uniquely: two erasures folding the same day at once may
    each insert a row, and statistics sum `count` over the dimensions anyway.
    """

    __tablename__ = "interaction_counts"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    intent: Mapped[str | None] = mapped_column(String(INTENT_LENGTH))
    decision: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    count: Mapped[int] = mapped_column(Integer)


class ProcessedUpdate(Base):
    """Updates already handled: a redelivered update is recognised and skipped.

    The key is the update id *and* what the update carries (see `handlers.engine`): Telegram
    starts its update ids again from a random number after a week without updates, so an id
    alone could match an update handled earlier and make the desk skip a new message.
    """

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(UPDATE_KEY_LENGTH), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


# --- Needs analysis (issue 17): workforce data set, interview results, company plans ---------

GENDERS = ("F", "M", "X")
CONTRACTS = ("indeterminato", "determinato", "apprendistato", "somministrato")
COMMUTE_MODES = ("car", "public_transport", "bike", "walk", "motorbike", "mixed", "other")
COMMUTE_BANDS = ("0-15", "15-30", "30-45", "45-60", "60+")
WORKING_TIMES = ("full_time", "part_time", "shifts")
NEED_AREAS = (
    "childcare",
    "schooling",
    "eldercare",
    "health",
    "mobility",
    "time",
    "income_support",
    "training",
    "leisure",
    "housing",
)
SITE_LENGTH = 100
COMMENT_LENGTH = 1000
PLAN_URL_LENGTH = 500
PLAN_CONTACT_LENGTH = 300


class WorkforceRecord(Base):
    """One employee of a company's workforce data set: no name, no id, only what indicators use.

    `row` is the line of the imported file, kept so that a later question ("which row?") can be
    answered from the file the company itself holds; it identifies nobody here.
    """

    __tablename__ = "workforce_records"
    __table_args__ = (
        CheckConstraint(_in("genere", GENDERS), name="genere"),
        CheckConstraint(_in("contratto", CONTRACTS), name="contratto"),
        CheckConstraint("eta BETWEEN 15 AND 80", name="eta"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    row: Mapped[int] = mapped_column(Integer)
    eta: Mapped[int] = mapped_column(Integer)
    genere: Mapped[str] = mapped_column(String(1))
    contratto: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    part_time: Mapped[bool] = mapped_column(Boolean)
    figli_0_2: Mapped[int] = mapped_column(Integer)
    figli_3_5: Mapped[int] = mapped_column(Integer)
    figli_6_13: Mapped[int] = mapped_column(Integer)
    figli_14_18: Mapped[int] = mapped_column(Integer)
    caregiver: Mapped[bool] = mapped_column(Boolean)
    minuti_tragitto: Mapped[int] = mapped_column(Integer)
    turni: Mapped[bool] = mapped_column(Boolean)
    sede: Mapped[str] = mapped_column(String(SITE_LENGTH))
    anzianita_anni: Mapped[int] = mapped_column(Integer)


class WorkforceImport(Base):
    """When a company's data set was last imported and how many rows it holds (one per company)."""

    __tablename__ = "workforce_imports"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rows: Mapped[int] = mapped_column(Integer)


class InterviewResult(Base):
    """What one worker said they need, for one company; one row per (user, company).

    `consent_aggregate` is the worker's explicit yes to aggregate use: only those rows ever
    reach a report. `comment` is free text for the desk's staff and never appears in any
    report. Deleted with the user (erasure).
    """

    __tablename__ = "interview_results"
    __table_args__ = (
        UniqueConstraint("user_ref", "company_id"),
        CheckConstraint(_in("commute_mode", COMMUTE_MODES), name="commute_mode"),
        CheckConstraint(_in("commute_band", COMMUTE_BANDS), name="commute_band"),
        CheckConstraint(_in("working_time", WORKING_TIMES), name="working_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_ref: Mapped[str] = mapped_column(ForeignKey("users.user_ref", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    consent_aggregate: Mapped[bool] = mapped_column(Boolean)
    children_0_2: Mapped[int] = mapped_column(Integer)
    children_3_5: Mapped[int] = mapped_column(Integer)
    children_6_13: Mapped[int] = mapped_column(Integer)
    children_14_18: Mapped[int] = mapped_column(Integer)
    dependent_relatives: Mapped[bool] = mapped_column(Boolean)
    commute_mode: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    commute_band: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    working_time: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    wants_flexibility: Mapped[bool] = mapped_column(Boolean)
    wants_smart_working: Mapped[bool] = mapped_column(Boolean)
    need_areas: Mapped[list[str]] = mapped_column(JSON_VALUE)
    """Picked areas of NEED_AREAS, most important first."""
    comment: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:  # never the comment nor the household
        return f"InterviewResult(id={self.id!r}, company_id={self.company_id!r})"


class CompanyPlan(Base):
    """The measures a company's welfare plan offers (knowledge-base topics) and how to use them."""

    __tablename__ = "company_plans"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    topics: Mapped[list[str]] = mapped_column(JSON_VALUE)
    platform_url: Mapped[str | None] = mapped_column(String(PLAN_URL_LENGTH))
    credit_cents: Mapped[int | None] = mapped_column(Integer)
    credit_expires: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(String(PLAN_CONTACT_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxMessage(Base):
    """A message the desk owes a chat, written in the transaction that decided to send it.

    The bot delivers it and records the result here: `pending` until Telegram accepts it
    (`sent`) or refuses it for good (`refused`: blocked, chat not found). Messages of a chat
    go out in `id` order. `payload` (the message: text, buttons, file) is cleared once the
    row is settled: the outbox is a queue, not an archive of what people were told.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint("status <> 'pending' OR payload IS NOT NULL", name="pending_has_payload"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(OUTBOX_KEY_LENGTH), unique=True)
    """Idempotency key chosen by the writer: enqueueing the same key twice adds one row."""
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    answers: Mapped[str | None] = mapped_column(String(UPDATE_KEY_LENGTH))
    """The processed-update key of the update this answers; NULL for messages of the desk's
    own (a manager's reply, a reminder)."""
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON_VALUE)
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    """The kind of the last failure (an exception class name), never its message."""

    def __repr__(self) -> str:  # no chat id, no text
        return f"OutboxMessage(id={self.id!r}, status={self.status!r})"


# --- Escalation (issue 16): welfare managers, tickets, their history and messages ----------

TICKET_STATUSES = ("open", "assigned", "waiting", "resolved", "closed")
"""open → assigned (a manager took it) → waiting (for the worker's answer) → resolved →
closed; escalation/statuses.py holds the allowed moves."""
TICKET_PRIORITIES = ("normal", "high")
TICKET_ACTORS = ("worker", "manager", "system")
TICKET_DIRECTIONS = ("worker", "manager", "desk")
MANAGER_NAME_LENGTH = 100
TICKET_KEY_LENGTH = 128


class Manager(Base):
    """A welfare manager the desk hands requests to: of one company, or of the whole network
    (no company: the "welfare manager di rete", who takes everything else)."""

    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(MANAGER_NAME_LENGTH))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    available: Mapped[bool] = mapped_column(Boolean, server_default=true())
    last_routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When a ticket was last routed to them: round robin picks the longest-waiting."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"Manager(id={self.id!r})"


class Ticket(Base):
    """A worker's request for a person. Its `id` is the number people are told.

    `user_ref` and every text are cleared when the worker erases their data; the row stays,
    anonymous, for the statistics (times, statuses, rating).
    """

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("status", TICKET_STATUSES), name="status"),
        CheckConstraint(_in("priority", TICKET_PRIORITIES), name="priority"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating"),
        Index("ix_tickets_user_ref_status", "user_ref", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    open_key: Mapped[str] = mapped_column(String(TICKET_KEY_LENGTH), unique=True)
    """Idempotency key of the request that opened it: the same request twice is one ticket."""
    user_ref: Mapped[str | None] = mapped_column(String(USER_REF_LENGTH))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    summary: Mapped[str | None] = mapped_column(Text)
    transcript: Mapped[str | None] = mapped_column(Text)
    """The recent conversation, only when the worker agreed to share it."""
    note: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH), index=True)
    routed_to_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    """The ticket's forum topic in the managers' chat (forum supergroups only)."""
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    """The card's message in the managers' chat: replies to it belong to the ticket."""
    worker_told: Mapped[bool] = mapped_column(Boolean, server_default=false())
    """The worker was told, once, that their messages now go to the ticket."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:  # no texts, no user
        return f"Ticket(id={self.id!r}, status={self.status!r})"


class TicketEvent(Base):
    """One change of a ticket's status or assignee: who, when, from what to what."""

    __tablename__ = "ticket_events"
    __table_args__ = (CheckConstraint(_in("actor", TICKET_ACTORS), name="actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    to_status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))


class TicketMessage(Base):
    """A message of the exchange, with its Telegram id in the managers' chat once sent there
    (a manager's reply to it then belongs to the ticket). `text` is cleared on erasure."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint(_in("direction", TICKET_DIRECTIONS), name="direction"),
        Index("ix_ticket_messages_telegram_message_id", "telegram_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    direction: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
