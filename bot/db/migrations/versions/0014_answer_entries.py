"""lecturers' answers kept as entries the bot answers from

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("answer", sa.String(length=4000), nullable=False),
        sa.Column("lecturer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lecturer_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_answer_entries_course_language", "answer_entries", ["course_id", "language"]
    )


def downgrade() -> None:
    op.drop_index("ix_answer_entries_course_language", table_name="answer_entries")
    op.drop_table("answer_entries")
