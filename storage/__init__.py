"""Storage: the desk's tables, sessions, repositories and Alembic migrations.

Start-up builds one `Database` from the configured URL and calls `upgrade()`; each turn then
opens `with database.session() as session:` (one transaction) and calls the repository
functions below, which take the session first and everything else by keyword. Timestamps are
timezone-aware on the way in and come back in UTC.

Privacy by design: users are known by a pseudonymous `user_ref` computed by the caller; the
Telegram ids live only in `chat_links`, which `erase_user` deletes together with the profile
and conversation, leaving the interaction log anonymous. See storage/README.md.

Outgoing messages go through the outbox (`enqueue` in the transaction that decides to send,
see storage/outbox.py); the bot delivers them.

Exceptions: `StorageError` (database unreachable or not migratable), `NotFoundError` (a
repository call named a user or interaction that does not exist) and `ValueError` (bad input).
This package knows nothing of the other packages.
"""

from __future__ import annotations

from storage.companies import (
    add_company,
    company_codes_paused_until,
    find_company,
    join_company,
    list_companies,
    normalise_code,
    record_code_attempt,
)
from storage.database import Database, mask_url
from storage.errors import NotFoundError, StorageError
from storage.flows import FlowState, load_flow, save_flow
from storage.interactions import (
    fold_interactions,
    log_interaction,
    purge_expired_texts,
    set_feedback,
)
from storage.migrate import head_revision
from storage.models import (
    CHANNELS,
    COMMUTE_BANDS,
    COMMUTE_MODES,
    CONTRACTS,
    DECISIONS,
    FEEDBACKS,
    GENDERS,
    KINDS,
    NEED_AREAS,
    OUTBOX_STATUSES,
    ROLES,
    SITE_LENGTH,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    WORKING_TIMES,
    Base,
    ChatLink,
    Company,
    CompanyPlan,
    Conversation,
    Interaction,
    InteractionCount,
    InterviewResult,
    Manager,
    OutboxMessage,
    ProcessedUpdate,
    Ticket,
    TicketEvent,
    TicketMessage,
    User,
    WorkforceImport,
    WorkforceRecord,
)
from storage.needs import (
    WORKFORCE_COLUMNS,
    InterviewAnswers,
    PlanTerms,
    consented_interviews,
    find_company_plan,
    find_interview,
    find_workforce_import,
    load_workforce,
    replace_workforce,
    save_interview,
    set_company_plan,
)
from storage.outbox import (
    Outgoing,
    OutgoingDocument,
    PendingMessage,
    TicketPlace,
    defer,
    due_messages,
    enqueue,
    mark_refused,
    mark_sent,
    outbox_status,
    prune_outbox,
    reschedule,
    take_queued,
)
from storage.privacy import erase_unconsented_users, erase_user, export_user_data
from storage.retention import drop_stale_flow_value, erase_inactive_users, fold_old_interactions
from storage.turn_state import TurnState, load_turn_state
from storage.updates import mark_update_processed, prune_processed_updates
from storage.users import (
    chat_id_for,
    ensure_user,
    find_user,
    find_user_ref_by_telegram_id,
    set_blocked,
    set_chat_language,
    set_chosen_language,
    set_consent,
    set_language,
    set_role,
)

__all__ = [
    "CHANNELS",
    "COMMUTE_BANDS",
    "COMMUTE_MODES",
    "CONTRACTS",
    "DECISIONS",
    "FEEDBACKS",
    "GENDERS",
    "KINDS",
    "NEED_AREAS",
    "OUTBOX_STATUSES",
    "ROLES",
    "SITE_LENGTH",
    "TICKET_PRIORITIES",
    "TICKET_STATUSES",
    "WORKFORCE_COLUMNS",
    "WORKING_TIMES",
    "Base",
    "ChatLink",
    "Company",
    "CompanyPlan",
    "Conversation",
    "Database",
    "FlowState",
    "Interaction",
    "InteractionCount",
    "InterviewAnswers",
    "InterviewResult",
    "Manager",
    "NotFoundError",
    "OutboxMessage",
    "Outgoing",
    "OutgoingDocument",
    "PendingMessage",
    "PlanTerms",
    "ProcessedUpdate",
    "StorageError",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TicketPlace",
    "TurnState",
    "User",
    "WorkforceImport",
    "WorkforceRecord",
    "add_company",
    "chat_id_for",
    "company_codes_paused_until",
    "consented_interviews",
    "defer",
    "drop_stale_flow_value",
    "due_messages",
    "enqueue",
    "ensure_user",
    "erase_inactive_users",
    "erase_unconsented_users",
    "erase_user",
    "export_user_data",
    "find_company",
    "find_company_plan",
    "find_interview",
    "find_user",
    "find_user_ref_by_telegram_id",
    "find_workforce_import",
    "fold_interactions",
    "fold_old_interactions",
    "head_revision",
    "join_company",
    "list_companies",
    "load_flow",
    "load_turn_state",
    "load_workforce",
    "log_interaction",
    "mark_refused",
    "mark_sent",
    "mark_update_processed",
    "mask_url",
    "normalise_code",
    "outbox_status",
    "prune_outbox",
    "prune_processed_updates",
    "purge_expired_texts",
    "record_code_attempt",
    "replace_workforce",
    "reschedule",
    "save_flow",
    "save_interview",
    "set_blocked",
    "set_chat_language",
    "set_chosen_language",
    "set_company_plan",
    "set_consent",
    "set_feedback",
    "set_language",
    "set_role",
    "take_queued",
]
