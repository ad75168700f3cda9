"""Coordinator statistics: completion queries, the PNG chart, CSV/XLSX exports, `academy stats`.

Transport-free: handlers and the CLI call these with a session and translated labels.
"""

from bot.stats.model import (
    AskedQuestions,
    CohortStats,
    LessonCompletion,
    MessageReach,
    MissedQuestion,
    Topic,
    TraineeRow,
    UnknownCohort,
    UnknownCourse,
)
from bot.stats.queries import all_cohort_stats, cohort_stats, main_course, trainee_rows

__all__ = [
    "AskedQuestions",
    "CohortStats",
    "LessonCompletion",
    "MessageReach",
    "MissedQuestion",
    "Topic",
    "TraineeRow",
    "UnknownCohort",
    "UnknownCourse",
    "all_cohort_stats",
    "cohort_stats",
    "main_course",
    "trainee_rows",
]
