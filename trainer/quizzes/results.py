"""Quiz-level results: the grading method over attempts, passes, expiry and renewal cycles.

A pass expires `validity_days` after it was earned. An attempt started after the current pass
expired opens a new *cycle*: the grade is then computed from the new cycle's attempts only, and
the attempt allowance starts afresh, so an agent can always renew an expired pass.
"""

from dataclasses import dataclass
from datetime import datetime

from trainer.core import clock
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.models.quiz import AVERAGE, FIRST, LATEST


@dataclass(frozen=True)
class QuizResult:
    """An agent's standing on a quiz within one cycle."""

    grade: float | None  # 0-100 by the quiz's grading method; None without finished attempts
    passed: bool
    passed_at: datetime | None
    expires_at: datetime | None
    attempts: int

    def valid_at(self, now: datetime) -> bool:
        """A pass that has not expired at `now`."""
        return self.passed and (self.expires_at is None or self.expires_at > now)


EMPTY = QuizResult(None, False, None, None, 0)


def grade_cycle(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizResult:
    """The grading method applied to finished attempts (in submission order)."""
    done = [a for a in attempts if a.submitted_at is not None and a.score is not None]
    if not done:
        return QuizResult(None, False, None, None, len(attempts))
    if quiz.grading_method == FIRST:
        decisive = done[0]
        grade = decisive.score
    elif quiz.grading_method == LATEST:
        decisive = done[-1]
        grade = decisive.score
    elif quiz.grading_method == AVERAGE:
        decisive = done[-1]
        grade = round(sum(a.score for a in done) / len(done), 2)
    else:  # HIGHEST: the earliest attempt with the best score earned it
        decisive = max(done, key=lambda a: (a.score, -a.submitted_at.timestamp()))
        grade = decisive.score
    passed = grade >= quiz.pass_mark
    passed_at = decisive.submitted_at if passed else None
    expires_at = (
        clock.days_after(passed_at, quiz.validity_days)
        if passed_at is not None and quiz.validity_days
        else None
    )
    return QuizResult(grade, passed, passed_at, expires_at, len(attempts))


def split_cycles(quiz: Quiz, attempts: list[QuizAttempt]) -> list[list[QuizAttempt]]:
    """Attempts (by start time) grouped into renewal cycles."""
    cycles: list[list[QuizAttempt]] = [[]]
    for attempt in sorted(attempts, key=lambda a: (a.started_at, a.id or 0)):
        current = grade_cycle(quiz, cycles[-1])
        if current.passed and current.expires_at and attempt.started_at >= current.expires_at:
            cycles.append([])
        cycles[-1].append(attempt)
    return cycles


def current_result(quiz: Quiz, attempts: list[QuizAttempt], now: datetime) -> QuizResult:
    """The standing that counts now; an expired pass with no new attempt starts a new cycle."""
    cycles = split_cycles(quiz, attempts)
    result = grade_cycle(quiz, cycles[-1])
    if result.passed and result.expires_at and result.expires_at <= now:
        return QuizResult(None, False, None, None, 0)
    return result


def cycle_attempts(quiz: Quiz, attempts: list[QuizAttempt], now: datetime) -> list[QuizAttempt]:
    """The attempts that count against the allowance now."""
    cycles = split_cycles(quiz, attempts)
    result = grade_cycle(quiz, cycles[-1])
    if result.passed and result.expires_at and result.expires_at <= now:
        return []
    return cycles[-1]


def latest_pass(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizResult | None:
    """The most recent cycle that ended in a pass (possibly expired), for certification."""
    for cycle in reversed(split_cycles(quiz, attempts)):
        result = grade_cycle(quiz, cycle)
        if result.passed:
            return result
    return None
