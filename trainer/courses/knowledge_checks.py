"""Feedback on a lesson's knowledge checks (ungraded): the result of an answer, saved answers."""

from dataclasses import dataclass

from trainer.courses.models import Lesson, LessonProgress


@dataclass(frozen=True)
class CheckResult:
    """The outcome of answering one knowledge check."""

    index: int
    chosen: int
    correct: bool
    answer: int
    explanation: str


def check_result(lesson: Lesson, index: int, chosen: int) -> CheckResult:
    """The feedback for `chosen` on check `index`."""
    check = lesson.checks[index]
    return CheckResult(
        index=index,
        chosen=chosen,
        correct=chosen == check["answer"],
        answer=check["answer"],
        explanation=check["explanation"],
    )


def saved_check_results(lesson: Lesson, progress: LessonProgress | None) -> dict[int, CheckResult]:
    """Check index → feedback for the answers the user gave to this version of the lesson."""
    if progress is None or progress.checks_version != lesson.version:
        return {}
    results = {}
    for key, chosen in (progress.check_answers or {}).items():
        index = int(key)
        if 0 <= index < len(lesson.checks) and 0 <= chosen < len(lesson.checks[index]["options"]):
            results[index] = check_result(lesson, index, chosen)
    return results
