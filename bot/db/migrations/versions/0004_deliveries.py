"""deliveries, announcements, lesson plans, reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "kind", "ref", "occurrence", name="uq_delivery_once"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_person_id"), ["person_id"], unique=False)

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("photo_ref", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "lesson_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("time", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lesson_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_plans_cohort_id"), ["cohort_id"], unique=False)

    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlocked", sa.Integer(), nullable=True))

    with op.batch_alter_table("people", schema=None) as batch_op:
        # People who were here before reminders existed get the default evening reminder.
        batch_op.add_column(
            sa.Column("reminder_time", sa.String(length=5), nullable=True, server_default="19:00")
        )
        batch_op.add_column(
            sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("awaiting", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_people_next_reminder_at"), ["next_reminder_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_next_reminder_at"))
        batch_op.drop_column("awaiting")
        batch_op.drop_column("next_reminder_at")
        batch_op.drop_column("reminder_time")

    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("unlocked")

    with op.batch_alter_table("lesson_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_plans_cohort_id"))

    op.drop_table("lesson_plans")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcements_cohort_id"))

    op.drop_table("announcements")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_person_id"))
        batch_op.drop_index("ix_deliveries_due")

    op.drop_table("deliveries")
