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
        # The quiz's settings as plain values: they are read once per attempt of the cycle.
        self.method = quiz.grading_method
        self.pass_mark = quiz.pass_mark
        self.validity_days = quiz.validity_days
        self.attempts = 0
        self.finished = 0
        self.total = 0.0
        self.first: QuizAttempt | None = None
        self.last: QuizAttempt | None = None
        self.best: QuizAttempt | None = None
        self.best_key: tuple[float, float] | None = None
        self._expiry: tuple[QuizAttempt, datetime] | None = None  # (decisive, its expiry)

    def add(self, attempt: QuizAttempt) -> bool:
        """Fold one attempt in; True if it was finished (only then can the grade change)."""
        self.attempts += 1
        score = attempt.score
        if attempt.submitted_at is None or score is None:
            return False
        self.finished += 1
        self.total += score
        if self.first is None:
            self.first = attempt
        self.last = attempt
        # HIGHEST: the earliest attempt with the best score earned it.
        if self.best_key is None or score >= self.best_key[0]:
            key = (score, -attempt.submitted_at.timestamp())
            if self.best_key is None or key > self.best_key:
                self.best, self.best_key = attempt, key
        return True

    def _grade(self) -> tuple[float, QuizAttempt]:
        """The grade by the quiz's method and the attempt that decided it (some finished)."""
        if self.method == FIRST:
            return self.first.score, self.first
        if self.method == LATEST:
            return self.last.score, self.last
        if self.method == AVERAGE:
            return round(self.total / self.finished, 2), self.last
        return self.best.score, self.best

    def _expires_at(self, decisive: QuizAttempt) -> datetime:
        """When a pass `decisive` earned expires (the last one worked out is kept)."""
        if self._expiry is None or self._expiry[0] is not decisive:
            self._expiry = (decisive, clock.days_after(decisive.submitted_at, self.validity_days))
        return self._expiry[1]

    def pass_expires_at(self) -> datetime | None:
        """When the cycle's pass so far expires; None without a pass, or when passes last."""
        if not self.finished or not self.validity_days:
            return None
        grade, decisive = self._grade()
        return self._expires_at(decisive) if grade >= self.pass_mark else None

    def result(self) -> QuizResult:
        if not self.finished:
            return QuizResult(None, False, None, None, self.attempts)
        grade, decisive = self._grade()
        passed = grade >= self.pass_mark
        passed_at = decisive.submitted_at if passed else None
        expires_at = (
            self._expires_at(decisive) if passed_at is not None and self.validity_days else None
        )
        return QuizResult(grade, passed, passed_at, expires_at, self.attempts)


def grade_cycle(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizResult:
    """The grading method applied to a cycle's finished attempts (in start order)."""
    running = _CycleGrade(quiz)
    for attempt in attempts:
        running.add(attempt)
    return running.result()


def _split(quiz: Quiz, attempts: list[QuizAttempt]) -> tuple[list[list[QuizAttempt]], QuizResult]:
    """Attempts (by start time) grouped into renewal cycles, and the last cycle's grade (the
    running grade the split keeps anyway, so callers need not grade that cycle again)."""
    cycles: list[list[QuizAttempt]] = [[]]
    running = _CycleGrade(quiz)
    expires_at = None  # when the cycle's pass so far expires
    for attempt in sorted(attempts, key=lambda a: (a.started_at, a.id or 0)):
        if expires_at and attempt.started_at >= expires_at:
            cycles.append([])
            running = _CycleGrade(quiz)
            expires_at = None
        cycles[-1].append(attempt)
        if running.add(attempt):  # an unfinished attempt changes neither grade nor pass
            expires_at = running.pass_expires_at()
    return cycles, running.result()


def split_cycles(quiz: Quiz, attempts: list[QuizAttempt]) -> list[list[QuizAttempt]]:
    """Attempts (by start time) grouped into renewal cycles."""
    return _split(quiz, attempts)[0]


def current_cycle(
    quiz: Quiz, attempts: list[QuizAttempt], now: datetime
) -> tuple[QuizResult, list[QuizAttempt]]:
    """`current_result` and `cycle_attempts` from one pass over the attempts."""
    cycles, result = _split(quiz, attempts)
    if result.passed and result.expires_at and result.expires_at <= now:
        return EMPTY, []
    return result, cycles[-1]


def current_result(quiz: Quiz, attempts: list[QuizAttempt], now: datetime) -> QuizResult:
    """The standing that counts now; an expired pass with no new attempt starts a new cycle."""
    return current_cycle(quiz, attempts, now)[0]


def cycle_attempts(quiz: Quiz, attempts: list[QuizAttempt], now: datetime) -> list[QuizAttempt]:
    """The attempts that count against the allowance now."""
    return current_cycle(quiz, attempts, now)[1]


def latest_pass(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizResult | None:
    """The most recent cycle that ended in a pass (possibly expired), for certification."""
    for cycle in reversed(split_cycles(quiz, attempts)):
        result = grade_cycle(quiz, cycle)
        if result.passed:
            return result
    return None
