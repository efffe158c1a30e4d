"""account events: the audit trail of account changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_account_events_at"), "account_events", ["at"], unique=False)
    op.create_index(
        op.f("ix_account_events_username"), "account_events", ["username"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_account_events_username"), table_name="account_events")
    op.drop_index(op.f("ix_account_events_at"), table_name="account_events")
    op.drop_table("account_events")
