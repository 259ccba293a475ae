"""Grading methods, passes, expiry and renewal cycles, and the certification contract."""

from datetime import timedelta

import pytest

from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.core.evidence import QuizPass
from trainer.extensions import db
from trainer.quizzes.achievements import quiz_passes
from trainer.quizzes.models import QuizAttempt
from trainer.quizzes.results import (
    current_result,
    cycle_attempts,
    latest_pass,
)

T0 = utcnow().replace(microsecond=0) - timedelta(days=400)


def attempts_with(quiz, user, scores_and_days):
    """Finished attempts submitted `day` days after T0 with the given scores."""
    made = []
    for number, (score, day) in enumerate(scores_and_days, start=1):
        attempt = QuizAttempt(
            quiz_id=quiz.id,
            user_id=user.id,
            number=number,
            state="finished",
            started_at=T0 + timedelta(days=day),
            submitted_at=T0 + timedelta(days=day, minutes=10),
            score=score,
            passed=score >= quiz.pass_mark,
        )
        db.session.add(attempt)
        made.append(attempt)
    db.session.commit()
    return made


@pytest.mark.parametrize(
    ("method", "grade", "passed"),
    [("highest", 90, True), ("latest", 60, False), ("first", 70, False), ("average", 73.33, False)],
)
def test_grading_methods(make_quiz, make_user, method, grade, passed):
    quiz = make_quiz(count=1, grading_method=method, pass_mark=80)
    attempts = attempts_with(quiz, make_user("agent"), [(70, 0), (90, 1), (60, 2)])
    result = current_result(quiz, attempts, T0 + timedelta(days=3))
    assert result.grade == pytest.approx(grade) and result.passed is passed


def test_highest_pass_dates_from_the_best_attempt_and_expires(make_quiz, make_user):
    quiz = make_quiz(count=1, validity_days=30)
    attempts = attempts_with(quiz, make_user("agent"), [(50, 0), (85, 1), (85, 2)])
    result = current_result(quiz, attempts, T0 + timedelta(days=3))
    assert result.passed_at == attempts[1].submitted_at
    assert result.expires_at == clock.days_after(attempts[1].submitted_at, 30)
    assert result.valid_at(T0 + timedelta(days=10))
    # After expiry the standing resets and the attempt allowance starts afresh.
    later = T0 + timedelta(days=40)
    assert current_result(quiz, attempts, later).grade is None
    assert cycle_attempts(quiz, attempts, later) == []


def test_renewal_cycle_counts_only_new_attempts(make_quiz, make_user):
    quiz = make_quiz(count=1, validity_days=30, grading_method="highest")
    attempts = attempts_with(quiz, make_user("agent"), [(95, 0), (40, 40)])
    now = T0 + timedelta(days=41)
    result = current_result(quiz, attempts, now)
    assert result.grade == 40 and not result.passed  # the old 95 does not carry over
    old = latest_pass(quiz, attempts)
    assert old.grade == 95 and old.expires_at < now


def test_quiz_passes_contract(make_quiz, make_user):
    quiz = make_quiz(count=1, validity_days=180, pass_mark=80)
    other = make_quiz(count=1)
    agent, failing, idle = make_user("agent"), make_user("agent"), make_user("agent")
    attempts_with(quiz, agent, [(60, 0), (88, 1)])
    attempts_with(other, agent, [(100, 2)])
    attempts_with(quiz, failing, [(10, 0)])
    passes = quiz_passes([agent.id, failing.id, idle.id])
    assert set(passes) == {agent.id, failing.id, idle.id}
    assert passes[failing.id] == {} and passes[idle.id] == {}
    got = passes[agent.id][quiz.slug]
    assert isinstance(got, QuizPass)
    assert got.score == 88 and got.passed_at == T0 + timedelta(days=1, minutes=10)
    assert got.expires_at == clock.days_after(got.passed_at, 180)
    assert passes[agent.id][other.slug].expires_at is None
    assert quiz_passes([]) == {}


def test_in_progress_attempts_do_not_count(make_quiz, make_user):
    quiz = make_quiz(count=1)
    agent = make_user("agent")
    db.session.add(
        QuizAttempt(quiz_id=quiz.id, user_id=agent.id, number=1, state="in_progress", started_at=T0)
    )
    db.session.commit()
    assert quiz_passes([agent.id]) == {agent.id: {}}
