"""Trainers set up quizzes: list, create, edit (draw rules, timing, attempts, review)."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.i18n import _
from trainer.courses.achievements import course_titles
from trainer.extensions import db
from trainer.quizzes import bank, quizdefs
from trainer.quizzes.draw import describe_rule, parse_rules
from trainer.quizzes.editing import fill_quiz_form, settings_from_quiz_form
from trainer.quizzes.forms import QuizForm
from trainer.quizzes.models import Question, Quiz, QuizAttempt

bp = Blueprint("quiz_admin", __name__, url_prefix="/quizzes/manage", template_folder="../templates")
STAFF = (TRAINER, ADMIN)


QUESTION_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only: str.isdigit() accepts "²"


def _resolve(ref: str) -> int | None:
    """A fixed-question reference: a question id or an ID number."""
    if QUESTION_ID.fullmatch(ref) and db.session.get(Question, int(ref)) is not None:
        return int(ref)
    question = bank.get_by_idnumber(ref)
    return question.id if question else None


@bp.get("/")
@role_required(*STAFF)
def index():
    """All quizzes with their draw rules and how many attempts they have."""
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.course_slug, Quiz.slug)).all()
    counts = dict(
        db.session.execute(
            select(QuizAttempt.quiz_id, func.count(QuizAttempt.id)).group_by(QuizAttempt.quiz_id)
        ).all()
    )
    rules = {q.id: [describe_rule(r) for r in parse_rules(q.draw_rules)] for q in quizzes}
    courses = course_titles(sorted({q.course_slug for q in quizzes if q.course_slug}))
    return render_template(
        "quizzes/manage/index.html", quizzes=quizzes, counts=counts, rules=rules, courses=courses
    )


def _save(form: QuizForm, quiz: Quiz | None):
    """Validate and save the form; returns the quiz, or None after flashing the problems."""
    settings, unknown = settings_from_quiz_form(form, _resolve)
    if unknown:
        flash(_("Unknown questions: %(refs)s", refs=", ".join(unknown)), "error")
        return None
    try:
        saved = quizdefs.save_quiz(settings, quiz=quiz, actor=current_user)
    except quizdefs.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    db.session.commit()
    return saved


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def create():
    """Create a quiz."""
    form = QuizForm()
    if form.validate_on_submit() and (quiz := _save(form, None)) is not None:
        flash(_("Quiz created."), "success")
        return redirect(url_for(".edit", quiz_id=quiz.id))
    return render_template("quizzes/manage/quiz_form.html", form=form, quiz=None)


@bp.route("/<int:quiz_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(quiz_id: int):
    """Edit a quiz; running attempts keep the questions they drew."""
    quiz = db.get_or_404(Quiz, quiz_id)
    form = QuizForm()
    if request.method == "GET":
        fill_quiz_form(form, quiz)
    if form.validate_on_submit() and _save(form, quiz) is not None:
        flash(_("Changes saved."), "success")
        return redirect(url_for(".edit", quiz_id=quiz.id))
    return render_template("quizzes/manage/quiz_form.html", form=form, quiz=quiz)
