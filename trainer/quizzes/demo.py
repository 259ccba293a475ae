"""Demo data for `flask seed-demo`: past attempts of the demo agent (one failed, one passed)."""

import random
from datetime import timedelta

from sqlalchemy import select

from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes.attempts import grade_attempt
from trainer.quizzes.draw import DrawError, draw_questions
from trainer.quizzes.grading import grade_response
from trainer.quizzes.models import AttemptAnswer, QuizAttempt
from trainer.quizzes.models.attempt import FINISHED
from trainer.quizzes.quizdefs import get_quiz_by_slug
from trainer.quizzes.responses import make_layout
from trainer.quizzes.spec import MATCHING, MULTI, NUMERICAL, SHORTANSWER, SINGLE, TRUEFALSE

DEMO_QUIZ = "anti-fraud-privacy"


def _right_response(spec) -> dict:
    """A full-marks response to a question (for a demo attempt)."""
    if spec.qtype == SINGLE:
        return {"choice": max(range(len(spec.choices)), key=lambda i: spec.choices[i].weight)}
    if spec.qtype == MULTI:
        return {"choices": [i for i, c in enumerate(spec.choices) if c.weight > 0]}
    if spec.qtype == TRUEFALSE:
        return {"value": bool(spec.correct)}
    if spec.qtype == MATCHING:
        texts = spec.choice_texts()
        return {
            "matches": {str(i): texts.index(p.right) for i, p in enumerate(spec.pairs) if p.left}
        }
    if spec.qtype == SHORTANSWER:
        return {"text": spec.answers[0].text}
    if spec.qtype == NUMERICAL:
        from trainer.quizzes.gift.writer import number

        return {"text": number(spec.numbers[0].value)}
    return {}


def seed_quiz_demo(users: dict) -> None:
    """Two finished attempts for the demo agent on the anti-fraud quiz (idempotent)."""
    agent = users.get("agent")
    quiz = get_quiz_by_slug(DEMO_QUIZ)
    if agent is None or quiz is None:
        return  # `content sync` has not loaded the quizzes
    exists = db.session.scalar(
        select(QuizAttempt.id).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == agent.id
        )
    )
    if exists:
        return
    rng = random.Random(2026)  # noqa: S311 - stable demo data
    now = utcnow()
    for number, (days_ago, right_share) in enumerate([(12, 0.5), (11, 1.0)], start=1):
        try:
            questions = draw_questions(quiz.draw_rules, rng)
        except DrawError:
            return
        started = now - timedelta(days=days_ago, minutes=20)
        attempt = QuizAttempt(
            quiz_id=quiz.id,
            user_id=agent.id,
            number=number,
            state=FINISHED,
            started_at=started,
            deadline_at=started + timedelta(minutes=quiz.time_limit_minutes or 15),
            submitted_at=started + timedelta(minutes=9),
            finished_by="agent",
        )
        for slot, question in enumerate(questions):
            version = question.current_version
            spec = version.spec()
            answer_right = slot < round(len(questions) * right_share)
            response = _right_response(spec) if answer_right else None
            attempt.answers.append(
                AttemptAnswer(
                    slot=slot,
                    version_id=version.id,
                    layout=make_layout(spec, quiz.shuffle_options, rng),
                    response=response,
                    saved_at=started + timedelta(minutes=slot + 1) if response else None,
                    fraction=grade_response(spec, response).fraction,
                )
            )
        db.session.add(attempt)
        db.session.flush()
        grade_attempt(attempt)
