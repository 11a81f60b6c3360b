"""Technicians' own working hours.

`technician.working_hours` holds weekday -> "HH:MM-HH:MM" (JSON); NULL means the default
hours (Monday to Friday 08:00-17:00), so existing technicians keep working as before.

Revision ID: 0009_technician_hours
Revises: 0008_sla_coverage
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_technician_hours"
down_revision: str | None = "0008_sla_coverage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database `create_all` made from today's models (stamped with the baseline, see
    # migrate.upgrade) has the column already.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("technician")}
    if "working_hours" not in have:
        op.add_column("technician", sa.Column("working_hours", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE technician DROP COLUMN working_hours")
