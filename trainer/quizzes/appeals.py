"""Quiz appeals: an agent disputes one question's marking; a trainer keeps or changes the mark.

A changed mark sets that question's fraction (0–1); the attempt's score (the mean of the
fractions, 0–100) and its pass are recomputed, as `attempts.grade_attempt` computes them.
"""

from typing import Any

from sqlalchemy import select

from trainer.appeals import common
from trainer.appeals.common import AppealError
from trainer.appeals.models import QUIZ, Appeal
from trainer.extensions import db
from trainer.quizzes.models import AttemptAnswer, Quiz, QuizAttempt

MARKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def answer_of(attempt: QuizAttempt, slot: int) -> AttemptAnswer | None:
    """The attempt's answer in `slot`."""
    return db.session.scalar(
        select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot == slot
        )
    )


def check_appealable(attempt: QuizAttempt, user: Any, slot: int) -> AttemptAnswer:
    """The answer the agent may appeal, or AppealError saying why not."""
    if attempt.user_id != user.id or attempt.state != "finished" or attempt.score is None:
        raise AppealError(str(common.NOT_OWN_ATTEMPT))
    answer = answer_of(attempt, slot)
    if answer is None or answer.fraction is None:
        raise AppealError(str(common.NO_SUCH_QUESTION))
    return answer


def file_quiz_appeal(attempt: QuizAttempt, user: Any, slot: int, reason: str) -> Appeal:
    """File the agent's one appeal on a question of an attempt."""
    answer = check_appealable(attempt, user, slot)
    return common.file_appeal(user, QUIZ, attempt.id, str(slot), reason, answer.fraction)


def attempt_of(appeal: Appeal) -> QuizAttempt:
    """The attempt the appeal is about."""
    return db.session.get(QuizAttempt, appeal.subject_id)


def rescore(attempt: QuizAttempt) -> None:
    """Score (0–100) and pass from the answers' fractions."""
    fractions = [
        a.fraction or 0.0
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    ]
    score = max(sum(fractions), 0.0) / len(fractions) * 100 if fractions else 0.0
    attempt.score = round(score, 2)
    attempt.passed = attempt.score >= db.session.get(Quiz, attempt.quiz_id).pass_mark


def decide_quiz_appeal(
    appeal: Appeal, trainer: Any, comment: str, new_mark: float | None = None, *, change: bool
) -> Appeal:
    """Keep the mark, or set the question's fraction and rescore the attempt; tell the agent."""
    attempt = attempt_of(appeal)
    if change:
        if new_mark not in MARKS:
            raise AppealError(str(common.BAD_MARK))
        common.close_appeal(appeal, trainer, comment, changed=True, after=new_mark)
        answer = answer_of(attempt, int(appeal.item))
        before = {"fraction": answer.fraction, "score": attempt.score, "passed": attempt.passed}
        answer.fraction = new_mark
        db.session.flush()
        rescore(attempt)
        from trainer.core import audit

        audit.record(
            trainer,
            "quiz.mark_change",
            attempt,
            before=before,
            after={"fraction": new_mark, "score": attempt.score, "passed": attempt.passed},
            slot=answer.slot,
            appeal_id=appeal.id,
        )
    else:
        common.close_appeal(appeal, trainer, comment, changed=False)
    link = f"/quizzes/attempts/{attempt.id}/review"
    common.tell_agent(appeal, attempt.quiz.title, link)
    return appeal
