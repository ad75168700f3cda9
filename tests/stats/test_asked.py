"""The dashboard's question lists on the programme of conftest.py."""

from __future__ import annotations

from bot.stats import cohort_stats
from bot.stats.asked import AskedFilter, missed_questions, questions_asked
from tests.stats.conftest import NOW, F, Programme


async def test_most_missed_is_the_list_of_academy_stats_made_longer(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    alpha = [programme.cohorts["Alpha"]]
    async with programme.runtime.sessions() as session:
        course_id, overall = await missed_questions(session, courses, "zh")
        _, of_alpha = await missed_questions(session, courses, "zh", cohort_ids=alpha)
        _, first = await missed_questions(session, courses, "zh", limit=1)
        stats = await cohort_stats(session, courses, None, NOW, "zh")
        alpha_stats = await cohort_stats(session, courses, alpha[0], NOW, "zh")
    assert course_id == "sample"
    assert overall == stats.most_missed and of_alpha == alpha_stats.most_missed
    # Overall q1: 3 of 5 wrong, q0: 3 of 6 (conftest.py); Alpha: only q0 has 5 answers.
    assert [(q.slug, q.index, q.wrong, q.answers, q.text) for q in overall] == [
        (F, 1, 3, 5, "谁能帮您开店？"),
        (F, 0, 3, 6, "刚开始，先卖什么？"),
    ]
    assert [(q.index, q.wrong, q.answers) for q in of_alpha] == [(0, 2, 5)]
    assert first == overall[:1]


async def test_questions_asked_every_declined_and_open(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    people = {v: k for k, v in programme.people.items()}
    alpha, beta = programme.cohorts["Alpha"], programme.cohorts["Beta"]
    async with programme.runtime.sessions() as session:
        _, every = await questions_asked(session, courses)
        _, declined = await questions_asked(session, courses, which=AskedFilter.declined)
        _, waiting = await questions_asked(session, courses, which=AskedFilter.open)
        _, both = await questions_asked(session, courses, cohort_ids=[alpha, beta])
        _, of_alpha = await questions_asked(session, courses, cohort_ids=[alpha])
        _, open_alpha = await questions_asked(
            session, courses, cohort_ids=[alpha], which=AskedFilter.open
        )
        _, two = await questions_asked(session, courses, limit=2)
    # Trainees of the sample classes about the sample course: not Leo (a lecturer), not Hal
    # (another class's course), not Ana's question about the retired course.
    assert len(every) == 10 and len(both) == 9  # Eva's before joining: asked from no class
    assert sorted(people[q.person_id] for q in of_alpha) == sorted(
        ["Ana", "Ana", "Ben", "Ben", "Cai", "Cai", "Dora"]
    )
    assert sorted(q.text for q in declined) == [
        "Ben's question 2",
        "Cai's question 1",
        "Fay's question 1",
    ]
    assert all(q.declined for q in declined)
    assert sorted(q.name for q in waiting) == ["Ben", "Fay"] and all(q.open for q in waiting)
    assert [(q.text, q.cohort_id, q.handed_off) for q in open_alpha] == [
        ("Ben's question 2", alpha, True)
    ]
    cai = next(q for q in of_alpha if q.text == "Cai's question 1")
    assert (cai.open, cai.declined, cai.lecturer_answer) == (False, True, "Ask at the market.")
    assert [q.asked_at for q in every] == sorted((q.asked_at for q in every), reverse=True)
    assert two == every[:2]
