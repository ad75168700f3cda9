"""join attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("join_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_attempts_at"), ["at"], unique=False)
        batch_op.create_index("ix_join_attempts_person_at", ["person_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("join_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_join_attempts_person_at")
        batch_op.drop_index(batch_op.f("ix_join_attempts_at"))

    op.drop_table("join_attempts")
