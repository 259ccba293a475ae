"""Agents take quizzes: the list, a quiz's page, the attempt (autosave), review and history."""

import re

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import signed_in
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.autosave import AttemptMissing, save_answer
from trainer.quizzes.lookups import (
    get_attempt_or_404,
    get_published_quiz_or_404,
    lock_attempt_or_404,
)
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.review import review_items, review_options, slot_views
from trainer.quizzes.services import standings

bp = Blueprint("quiz_attempts", __name__, url_prefix="/quizzes", template_folder="../templates")

SLOT_FIELD = re.compile(r"q([0-9]{1,6})")  # ASCII digits only: str.isdigit() accepts "²"
MAX_SLOT = 2**31 - 1  # the slot column is a 32-bit integer


@bp.get("/")
@signed_in
def index():
    """The quizzes the agent can take, with where they stand on each."""
    return render_template("quizzes/index.html", rows=standings(current_user))


@bp.get("/history")
@signed_in
def history():
    """Every attempt the agent has made, newest first."""
    rows = db.session.execute(
        db.select(QuizAttempt, Quiz)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(QuizAttempt.user_id == current_user.id)
        .order_by(QuizAttempt.started_at.desc())
    ).all()
    return render_template("quizzes/history.html", rows=rows)


@bp.get("/<slug>")
@signed_in
def quiz(slug: str):
    """A quiz's rules, the agent's standing and attempts, and the start button."""
    quiz = get_published_quiz_or_404(slug)
    attempts = service.user_attempts(quiz, current_user)
    # An overdue attempt is finalised by the POST that continues it (or `flask quiz
    # close-overdue`), never by reading this page: GET requests do not write.
    status = service.eligibility(quiz, attempts, utcnow())
    return render_template("quizzes/quiz.html", quiz=quiz, attempts=attempts, status=status)


@bp.post("/<slug>/start")
@signed_in
def start(slug: str):
    """Start an attempt (or go back to the running one)."""
    quiz = get_published_quiz_or_404(slug)
    try:
        attempt_id = service.start_attempt(quiz, current_user).id
    except service.AttemptError as error:
        db.session.commit()  # an overdue attempt may have been finalised on the way
        flash(str(error), "error")
        return redirect(url_for(".quiz", slug=slug))
    db.session.commit()
    return redirect(url_for(".attempt", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>")
@signed_in
def attempt(attempt_id: int):
    """The attempt: every question with the answers saved so far, and the countdown."""
    attempt = get_attempt_or_404(attempt_id, current_user)
    if attempt.state != "in_progress":
        return redirect(url_for(".review", attempt_id=attempt.id))
    if service.is_overdue(attempt, utcnow()):
        # Reading never writes: the agent's POST (or the scheduler) finalises the attempt.
        return render_template("quizzes/time_up.html", attempt=attempt, quiz=attempt.quiz)
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        quiz=attempt.quiz,
        slots=slot_views(attempt),
        now=utcnow(),
        grace=service.grace(),
    )


def _form_fields(slot_count: int) -> dict[int, dict[str, list[str]]]:
    """The posted fields grouped by question slot (`q<slot>` and `q<slot>_r<row>`)."""
    grouped: dict[int, dict[str, list[str]]] = {slot: {} for slot in range(slot_count)}
    for name in request.form:
        match = SLOT_FIELD.fullmatch(name.split("_", 1)[0])
        if match and int(match.group(1)) in grouped:
            grouped[int(match.group(1))][name] = request.form.getlist(name)
    return grouped


@bp.post("/attempts/<int:attempt_id>")
@signed_in
def save(attempt_id: int):
    """The plain-form path (no JavaScript): save every answer, and submit if asked."""
    attempt = lock_attempt_or_404(attempt_id, current_user)
    fields = _form_fields(len(attempt.answers))
    flagged = {slot for slot in fields if request.form.get(f"flag{slot}")}
    try:
        service.save_fields(attempt, fields, flagged)
    except service.AttemptError as error:
        db.session.commit()
        flash(str(error), "error")
        return redirect(url_for(".attempt", attempt_id=attempt_id))
    if request.form.get("action") == "submit":
        service.submit_attempt(attempt)
        db.session.commit()
        return redirect(url_for(".review", attempt_id=attempt_id))
    db.session.commit()
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt", attempt_id=attempt_id))


@bp.post("/attempts/<int:attempt_id>/answers")
@signed_in
def autosave(attempt_id: int):
    """Autosave one question's answer (JSON); replies with the server's receipt time."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=_("The request could not be understood.")), 400
    slot, fields, flagged = body.get("slot"), body.get("fields"), body.get("flagged")
    if (
        not isinstance(slot, int)
        or isinstance(slot, bool)
        or not 0 <= slot <= MAX_SLOT
        or not isinstance(fields, dict)
        or not (flagged is None or isinstance(flagged, bool))
    ):
        return jsonify(error=_("The request could not be understood.")), 400
    fields = {str(k): [str(v) for v in vs] for k, vs in fields.items() if isinstance(vs, list)}
    try:
        saved_at = save_answer(attempt_id, current_user.id, slot, fields, flagged)
    except AttemptMissing:
        abort(404)
    except service.AttemptError as error:
        db.session.commit()  # an overdue attempt has been finalised on the way
        return jsonify(error=str(error)), error.status
    db.session.commit()
    return jsonify(slot=slot, saved_at=saved_at.isoformat())


@bp.post("/attempts/<int:attempt_id>/submit")
@signed_in
def submit(attempt_id: int):
    """Submit the attempt; a second submit (double click, other tab) changes nothing."""
    attempt = lock_attempt_or_404(attempt_id, current_user)
    # The messages are looked up before the first write: choosing the language then is not
    # done inside SQLite's write lock (held until the commit).
    time_up = _("Time is up: the answers saved before the deadline have been submitted.")
    submitted = _("Your attempt has been submitted.")
    if service.finalise_if_overdue(attempt):
        flash(time_up, "info")
    elif service.submit_attempt(attempt):
        flash(submitted, "success")
    db.session.commit()
    return redirect(url_for(".review", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/review")
@signed_in
def review(attempt_id: int):
    """The finished attempt: score, and per question what the review policy allows."""
    attempt = get_attempt_or_404(attempt_id, current_user)
    if attempt.state == "in_progress":
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    options = review_options(attempt.quiz, attempt, utcnow())
    items = review_items(attempt, options)
    return render_template(
        "quizzes/review.html", attempt=attempt, quiz=attempt.quiz, options=options, items=items
    )
