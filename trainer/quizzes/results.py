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


class _CycleGrade:
    """The grading method folded over a cycle's attempts one at a time (in start order), so
    that splitting an agent's history into cycles stays linear in the number of attempts."""

    def __init__(self, quiz: Quiz):
        self.quiz = quiz
        self.attempts = 0
        self.finished = 0
        self.total = 0.0
        self.first: QuizAttempt | None = None
        self.last: QuizAttempt | None = None
        self.best: QuizAttempt | None = None
        self.best_key: tuple[float, float] | None = None

    def add(self, attempt: QuizAttempt) -> None:
        self.attempts += 1
        if attempt.submitted_at is None or attempt.score is None:
            return
        self.finished += 1
        self.total += attempt.score
        if self.first is None:
            self.first = attempt
        self.last = attempt
        # HIGHEST: the earliest attempt with the best score earned it.
        key = (attempt.score, -attempt.submitted_at.timestamp())
        if self.best_key is None or key > self.best_key:
            self.best, self.best_key = attempt, key

    def result(self) -> QuizResult:
        quiz = self.quiz
        if not self.finished:
            return QuizResult(None, False, None, None, self.attempts)
        if quiz.grading_method == FIRST:
            decisive = self.first
            grade = decisive.score
        elif quiz.grading_method == LATEST:
            decisive = self.last
            grade = decisive.score
        elif quiz.grading_method == AVERAGE:
            decisive = self.last
            grade = round(self.total / self.finished, 2)
        else:
            decisive = self.best
            grade = decisive.score
        passed = grade >= quiz.pass_mark
        passed_at = decisive.submitted_at if passed else None
        expires_at = (
            clock.days_after(passed_at, quiz.validity_days)
            if passed_at is not None and quiz.validity_days
            else None
        )
        return QuizResult(grade, passed, passed_at, expires_at, self.attempts)


def grade_cycle(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizResult:
    """The grading method applied to a cycle's finished attempts (in start order)."""
    running = _CycleGrade(quiz)
    for attempt in attempts:
        running.add(attempt)
    return running.result()


def split_cycles(quiz: Quiz, attempts: list[QuizAttempt]) -> list[list[QuizAttempt]]:
    """Attempts (by start time) grouped into renewal cycles."""
    cycles: list[list[QuizAttempt]] = [[]]
    running = _CycleGrade(quiz)
    current = running.result()
    for attempt in sorted(attempts, key=lambda a: (a.started_at, a.id or 0)):
        if current.passed and current.expires_at and attempt.started_at >= current.expires_at:
            cycles.append([])
            running = _CycleGrade(quiz)
        cycles[-1].append(attempt)
        running.add(attempt)
        current = running.result()
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
