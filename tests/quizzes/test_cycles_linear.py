"""Splitting a long history into renewal cycles: the running grade agrees with grading each
cycle from scratch, for every grading method, on random histories (an agent who practises a
quiz with unlimited attempts may have hundreds; the split is linear in them)."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.models.quiz import GRADING_METHODS
from trainer.quizzes.results import (
    QuizResult,
    current_cycle,
    current_result,
    cycle_attempts,
    grade_cycle,
    split_cycles,
)

T0 = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)


def _by_definition(quiz, attempts):
    """The specification: before each attempt, grade the current cycle from its start."""
    cycles = [[]]
    for attempt in sorted(attempts, key=lambda a: (a.started_at, a.id or 0)):
        current = grade_cycle(quiz, cycles[-1])
        if current.passed and current.expires_at and attempt.started_at >= current.expires_at:
            cycles.append([])
        cycles[-1].append(attempt)
    return cycles


def _history(rng, n):
    attempts, day = [], 0.0
    for number in range(1, n + 1):
        day += rng.choice([0.01, 0.5, 3, 40, 200])
        started = T0 + timedelta(days=day)
        finished = rng.random() < 0.85
        attempts.append(
            QuizAttempt(
                id=number,
                number=number,
                started_at=started,
                submitted_at=started + timedelta(minutes=rng.randint(1, 30)) if finished else None,
                score=float(rng.choice([40, 60, 79.99, 80, 95, 100])) if finished else None,
            )
        )
    rng.shuffle(attempts)  # the split sorts them itself
    return attempts


@pytest.mark.parametrize("method", GRADING_METHODS)
@pytest.mark.parametrize("validity_days", [None, 30, 365])
def test_running_split_matches_grading_each_cycle_from_scratch(app, method, validity_days):
    rng = random.Random(f"{method}-{validity_days}")
    quiz = Quiz(grading_method=method, pass_mark=80, validity_days=validity_days)
    for n in [0, 1, 2, 5, 30, 120]:
        attempts = _history(rng, n)
        split = split_cycles(quiz, attempts)
        assert [[a.id for a in c] for c in split] == [
            [a.id for a in c] for c in _by_definition(quiz, attempts)
        ]
        assert [grade_cycle(quiz, c) for c in split] == [
            grade_cycle(quiz, c) for c in _by_definition(quiz, attempts)
        ]
    if validity_days == 30:  # the random histories do renew: the test is not vacuous
        assert len(split) > 1


def test_ties_on_the_highest_score_keep_the_earliest_submission(app):
    quiz = Quiz(grading_method="highest", pass_mark=80, validity_days=10)
    first = QuizAttempt(id=1, started_at=T0, submitted_at=T0 + timedelta(minutes=5), score=90.0)
    later = QuizAttempt(
        id=2, started_at=T0 + timedelta(days=2), submitted_at=T0 + timedelta(days=2), score=90.0
    )
    result = grade_cycle(quiz, [first, later])
    assert result.passed_at == first.submitted_at
    assert result.expires_at > later.submitted_at


@pytest.mark.parametrize("method", GRADING_METHODS)
def test_current_cycle_agrees_with_grading_the_last_cycle(app, method):
    """`current_cycle` (one pass) against its definition: grade the last cycle from scratch;
    a pass that has expired by `now` leaves an empty cycle."""
    rng = random.Random(f"current-{method}")
    quiz = Quiz(grading_method=method, pass_mark=80, validity_days=30)
    cycles = 0
    for n in [0, 1, 3, 20, 80]:
        attempts = _history(rng, n)
        latest = max((a.started_at for a in attempts), default=T0)
        for now in (latest + timedelta(days=1), latest + timedelta(days=60)):
            last = split_cycles(quiz, attempts)[-1]
            expected = grade_cycle(quiz, last)
            if expected.passed and expected.expires_at and expected.expires_at <= now:
                expected, last = QuizResult(None, False, None, None, 0), []
            assert current_cycle(quiz, attempts, now) == (expected, last)
            assert current_result(quiz, attempts, now) == expected
            assert cycle_attempts(quiz, attempts, now) == last
        cycles = max(cycles, len(split_cycles(quiz, attempts)))
    assert cycles > 1  # renewals happen: the test is not vacuous
