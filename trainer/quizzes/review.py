"""What an agent may see of a finished attempt, as the quiz's review policy allows."""

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.extensions import db
from trainer.quizzes.grading import grade_response, right_answer
from trainer.quizzes.models import AttemptAnswer, Quiz, QuizAttempt
from trainer.quizzes.models.quiz import AFTER_CLOSE, AFTER_SUBMIT, NEVER
from trainer.quizzes.responses import SlotView, fields_to_response, slot_view
from trainer.quizzes.spec import TRUEFALSE
from trainer.quizzes.texts import render_inline, render_text


@dataclass(frozen=True)
class ReviewOptions:
    """`marks`: per-question right/wrong; `answers`: right answers and all feedback."""

    marks: bool
    answers: bool


def review_options(quiz: Quiz, attempt: QuizAttempt, now: datetime) -> ReviewOptions:
    """Nothing while the attempt runs; afterwards as the policy says."""
    if attempt.state != "finished" or quiz.review_policy == NEVER:
        return ReviewOptions(False, False)
    if quiz.review_policy == AFTER_SUBMIT:
        return ReviewOptions(True, True)
    closed = quiz.review_policy == AFTER_CLOSE and quiz.closes_at is not None
    return ReviewOptions(True, closed and now >= quiz.closes_at)


@dataclass
class ReviewItem:
    """One question on the review page; secret parts stay empty unless allowed."""

    view: SlotView
    state: str = ""
    fraction: float | None = None
    feedback: list[Markup] = field(default_factory=list)
    general_feedback: Markup | None = None
    right_answers: list[Markup] = field(default_factory=list)
    truefalse_right: str = ""


def attempt_answers(attempt: QuizAttempt) -> list[AttemptAnswer]:
    """The attempt's slots with their versions, in order (two queries)."""
    return list(
        db.session.scalars(
            select(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == attempt.id)
            .options(selectinload(AttemptAnswer.version))
            .order_by(AttemptAnswer.slot)
        )
    )


def slot_views(attempt: QuizAttempt) -> list[SlotView]:
    """The attempt page: every question with its saved response, texts and positions only."""
    views = []
    for answer in attempt_answers(attempt):
        view = slot_view(answer.version.spec(), answer.layout, answer.slot, answer.response)
        view.flagged = answer.flagged
        views.append(view)
    return views


def review_items(attempt: QuizAttempt, options: ReviewOptions) -> list[ReviewItem]:
    """The review page's questions with what the policy lets the agent see."""
    items = []
    for answer in attempt_answers(attempt):
        spec = answer.version.spec()
        item = ReviewItem(view=slot_view(spec, answer.layout, answer.slot, answer.response))
        if options.marks:
            grade = grade_response(spec, answer.response)
            item.state = grade.state
            item.fraction = answer.fraction
            if options.answers:
                fmt = spec.text_format
                item.feedback = [render_text(text, fmt) for text in grade.feedback]
                if spec.general_feedback:
                    item.general_feedback = render_text(spec.general_feedback, fmt)
                if spec.qtype == TRUEFALSE:
                    item.truefalse_right = "true" if spec.correct else "false"
                else:
                    item.right_answers = [render_inline(t, fmt) for t in right_answer(spec)]
        items.append(item)
    return items


def preview_item(spec, layout: dict, fields: dict[str, list[str]]) -> ReviewItem:
    """Grade a trainer's preview answer (nothing is stored); raises ResponseError."""
    response = fields_to_response(spec, layout, 0, fields)
    grade = grade_response(spec, response)
    return ReviewItem(
        view=slot_view(spec, layout, 0, response),
        state=grade.state,
        fraction=grade.fraction,
        feedback=[render_text(text, spec.text_format) for text in grade.feedback],
    )
