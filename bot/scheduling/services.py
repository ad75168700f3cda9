"""What the delivery engine and its planners use of the runtime's services, and nothing more.

Declared here, not imported from bot.pipeline, so that scheduling sits below the pipeline: the
pipeline's `Services` has these members and is passed in as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from bot.config import Settings
from bot.db.models import Person
from bot.lessons.model import Course


class SchedulerServices(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def courses(self) -> Mapping[str, Course]: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    def course_for(self, person: Person) -> Course:
        """The course the person studies: their class's, or the default one."""
        ...
