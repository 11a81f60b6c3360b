"""Baseline: the schema as `create_all` made it, with SQLite's append-only feed guards.

Databases made before migrations existed are stamped with this revision, not migrated.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

# Frozen here (not imported) so this revision means the same thing forever.
SQLITE_AUDIT_GUARDS = (
    """CREATE TRIGGER IF NOT EXISTS change_event_no_update BEFORE UPDATE ON change_event
       BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS change_event_no_delete BEFORE DELETE ON change_event
       BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END""",
)
ENUM_TYPES = (
    "appointmentkind",
    "contractkind",
    "escalationreason",
    "escalationstatus",
    "priority",
    "role",
    "servicerole",
    "source",
    "statecode",
    "status",
    "supportprofile",
    "ticketkind",
    "workmode",
)
"""PostgreSQL types the enum columns made; dropping the tables leaves them behind."""


def upgrade() -> None:
    op.create_table(
        "branch",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("state", sa.Enum("NW", "HE", name="statecode"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "change_event",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("technician_id", sa.Integer(), nullable=True),
        sa.Column("prev_technician_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_change_event_at", "change_event", ["at"])
    op.create_index("ix_change_event_prev_technician_id", "change_event", ["prev_technician_id"])
    op.create_index("ix_change_event_technician_id", "change_event", ["technician_id"])
    op.create_index("ix_change_event_ticket_id", "change_event", ["ticket_id"])
    op.create_table(
        "customer",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("account_manager", sa.String(length=80), nullable=True),
        sa.Column("contingent_balance_minutes", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_customer_name", "customer", ["name"])
    op.create_table(
        "user",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column(
            "role",
            sa.Enum("TECHNICIAN", "DISPATCHER", "TEAM_LEAD", "ADMIN", name="role"),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_apitoken_user_id", "apitoken", ["user_id"])
    op.create_table(
        "contact",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("notify_new", sa.Boolean(), nullable=False),
        sa.Column("notify_status", sa.Boolean(), nullable=False),
        sa.Column("receives_reports", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_customer_id", "contact", ["customer_id"])
    op.create_table(
        "contract",
        sa.Column(
            "kind",
            sa.Enum(
                "COOPERATION",
                "NEEDS_ANALYSIS",
                "CONTINGENT",
                "RENTAL",
                "ASP",
                "MANAGED_SERVICES",
                name="contractkind",
            ),
            nullable=False,
        ),
        sa.Column(
            "support_profile",
            sa.Enum("STANDARD", "EXTENDED", "ALWAYS", name="supportprofile"),
            nullable=False,
        ),
        sa.Column("response_overrides", sa.JSON(), nullable=True),
        sa.Column("contingent_hours_per_month", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contract_customer_id", "contract", ["customer_id"])
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("location", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key"),
    )
    op.create_index("ix_idempotency_record_created_at", "idempotency_record", ["created_at"])
    op.create_table(
        "site",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_site_customer_id", "site", ["customer_id"])
    op.create_table(
        "technician",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column(
            "service_role",
            sa.Enum("TECHNICIAN", "SYSTEM_ENGINEER", "CONSULTANT", "ARCHITECT", name="servicerole"),
            nullable=False,
        ),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "ticket",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=20000), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "INCIDENT", "REQUEST", "MAINTENANCE", "PICK_PACK", "MONITORING", name="ticketkind"
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "EMAIL",
                "PORTAL",
                "PHONE",
                "VIP_HOTLINE",
                "MONITORING",
                "SCHEDULE",
                "GOODS_RECEIPT",
                name="source",
            ),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Enum("P1", "P2", "P3", "P4", name="priority"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "NEW",
                "TRIAGED",
                "SCHEDULED",
                "IN_PROGRESS",
                "WAITING_CUSTOMER",
                "WAITING_VENDOR",
                "RESOLVED",
                "CLOSED",
                name="status",
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_paused_minutes", sa.Float(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("search", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["technician.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_ticket_assignee_id", "ticket", ["assignee_id"])
    op.create_index("ix_ticket_customer_id", "ticket", ["customer_id"])
    op.create_index("ix_ticket_escalated", "ticket", ["escalated"])
    op.create_index("ix_ticket_received", "ticket", ["received_at", "id"])
    op.create_index("ix_ticket_status", "ticket", ["status"])
    op.create_index("ix_ticket_status_due", "ticket", ["status", "resolution_due"])
    op.create_table(
        "appointment",
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.Enum("ONSITE", "REMOTE", name="workmode"), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("TICKET_WORK", "ABSENCE", "ON_CALL", "PROJECT", name="appointmentkind"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appointment_start", "appointment", ["start"])
    op.create_index("ix_appointment_technician_id", "appointment", ["technician_id"])
    op.create_index("ix_appointment_ticket_id", "appointment", ["ticket_id"])
    op.create_table(
        "comment",
        sa.Column("body", sa.String(length=20000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_ticket_id", "comment", ["ticket_id"])
    op.create_table(
        "escalation",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "TOTAL_OUTAGE",
                "VENDOR_STUCK",
                "SLA_BREACH",
                "CUSTOMER_COMPLAINT",
                "OTHER",
                name="escalationreason",
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "ACKNOWLEDGED", "RESOLVED", name="escalationstatus"),
            nullable=False,
        ),
        sa.Column("raised_by", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_status", "escalation", ["status"])
    op.create_index("ix_escalation_ticket_id", "escalation", ["ticket_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_AUDIT_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS change_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS change_event_no_delete")
    op.drop_index("ix_escalation_ticket_id", table_name="escalation")
    op.drop_index("ix_escalation_status", table_name="escalation")
    op.drop_table("escalation")
    op.drop_index("ix_comment_ticket_id", table_name="comment")
    op.drop_table("comment")
    op.drop_index("ix_appointment_ticket_id", table_name="appointment")
    op.drop_index("ix_appointment_technician_id", table_name="appointment")
    op.drop_index("ix_appointment_start", table_name="appointment")
    op.drop_table("appointment")
    op.drop_index("ix_ticket_status_due", table_name="ticket")
    op.drop_index("ix_ticket_status", table_name="ticket")
    op.drop_index("ix_ticket_received", table_name="ticket")
    op.drop_index("ix_ticket_escalated", table_name="ticket")
    op.drop_index("ix_ticket_customer_id", table_name="ticket")
    op.drop_index("ix_ticket_assignee_id", table_name="ticket")
    op.drop_table("ticket")
    op.drop_table("technician")
    op.drop_index("ix_site_customer_id", table_name="site")
    op.drop_table("site")
    op.drop_index("ix_idempotency_record_created_at", table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_index("ix_contract_customer_id", table_name="contract")
    op.drop_table("contract")
    op.drop_index("ix_contact_customer_id", table_name="contact")
    op.drop_table("contact")
    op.drop_index("ix_apitoken_user_id", table_name="apitoken")
    op.drop_table("apitoken")
    op.drop_table("user")
    op.drop_index("ix_customer_name", table_name="customer")
    op.drop_table("customer")
    op.drop_index("ix_change_event_ticket_id", table_name="change_event")
    op.drop_index("ix_change_event_technician_id", table_name="change_event")
    op.drop_index("ix_change_event_prev_technician_id", table_name="change_event")
    op.drop_index("ix_change_event_at", table_name="change_event")
    op.drop_table("change_event")
    op.drop_table("branch")
    if op.get_bind().dialect.name == "postgresql":
        for name in ENUM_TYPES:
            op.execute(f"DROP TYPE IF EXISTS {name}")
