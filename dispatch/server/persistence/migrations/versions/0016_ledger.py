"""The customer's contingent balance comes from the ledger: the static column goes.

`customer.contingent_balance_minutes` was a number typed in once that nothing debited; the
balance is now the replay of `contingent_lot` and the approved time entries
(`server/rules/contingent_view.py`), so a stale copy would only mislead a reader of the table.

Revision ID: 0016_ledger
Revises: 0014_time_and_contingent
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_ledger"
down_revision: str | None = "0014_time_and_contingent"
branch_labels = None
depends_on = None

COLUMN = "contingent_balance_minutes"


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("customer")}


def upgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): the column has no index
    # or constraint. Unless it is gone: a database `create_all` made from today's models.
    if COLUMN in _columns():
        op.execute(f"ALTER TABLE customer DROP COLUMN {COLUMN}")


def downgrade() -> None:
    if COLUMN not in _columns():
        op.add_column(
            "customer",
            sa.Column(COLUMN, sa.Integer(), nullable=False, server_default="0"),
        )
