"""SQLModel tables. Schema changes go through Alembic migrations in `migrations/`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime, utcnow


class Role(StrEnum):
    """What a person may do; trainee unless promoted."""

    trainee = "trainee"
    lecturer = "lecturer"
    coordinator = "coordinator"
    admin = "admin"


class Person(SQLModel, table=True):
    """Anyone who talks to the bot, on any channel."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("channel", "channel_user_id", name="uq_people_channel_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    channel_user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=128)
    language: str = Field(default="en", max_length=8)
    language_chosen: bool = Field(default=False)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    role: str = Field(default=Role.trainee.value, max_length=16)
    blocked: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
