"""numbered choices offered to a person, and the reply budget ledger

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choices_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("budget_opened_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("budget_by_event", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("budget_spent", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "offered_choices",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("payload", sa.String(length=512), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("offered_choices")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("budget_spent")
        batch_op.drop_column("budget_by_event")
        batch_op.drop_column("budget_opened_at")
        batch_op.drop_column("choices_at")
