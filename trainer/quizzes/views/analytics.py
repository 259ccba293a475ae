"""Trainers read results and item analysis per quiz, and export results as CSV."""

from flask import Blueprint, Response, render_template
from sqlalchemy import func, select

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes.analytics import (
    MIN_RESPONSES,
    finished_attempts,
    item_analysis,
    results_csv,
    results_table,
)
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.models.attempt import FINISHED

bp = Blueprint(
    "quiz_analytics", __name__, url_prefix="/quizzes/analytics", template_folder="../templates"
)
STAFF = (TRAINER, ADMIN)


@bp.get("/")
@role_required(*STAFF)
def index():
    """Every quiz with its finished attempts, agents and pass rate."""
    rows = db.session.execute(
        select(
            Quiz,
            func.count(QuizAttempt.id),
            func.count(func.distinct(QuizAttempt.user_id)),
            func.avg(QuizAttempt.score),
            func.sum(db.case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .outerjoin(QuizAttempt, (QuizAttempt.quiz_id == Quiz.id) & (QuizAttempt.state == FINISHED))
        .group_by(Quiz.id)
        .order_by(Quiz.course_slug, Quiz.slug)
    ).all()
    return render_template("quizzes/analytics/index.html", rows=rows)


@bp.get("/<int:quiz_id>")
@role_required(*STAFF)
def quiz(quiz_id: int):
    """Results table and per-question facility, discrimination and answer distribution."""
    quiz = db.get_or_404(Quiz, quiz_id)
    attempts = finished_attempts(quiz)
    return render_template(
        "quizzes/analytics/quiz.html",
        quiz=quiz,
        rows=results_table(quiz, attempts, utcnow()),
        items=item_analysis(attempts),
        attempts=attempts,
        min_responses=MIN_RESPONSES,
    )


@bp.get("/<int:quiz_id>/results.csv")
@role_required(*STAFF)
def results_export(quiz_id: int):
    """The results table as CSV."""
    quiz = db.get_or_404(Quiz, quiz_id)
    rows = results_table(quiz, finished_attempts(quiz), utcnow())
    return Response(
        results_csv(rows),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{quiz.slug}-results.csv"'},
    )
