"""Appeals: agents file one per marked item; trainers answer them from an oldest-first queue."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.appeals import common
from trainer.appeals.common import AppealError
from trainer.appeals.models import CHANGED, KEPT, OPEN, QUIZ, ROLEPLAY, Appeal
from trainer.core.auth import ADMIN, AGENT, TRAINER, role_required
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes import appeals as quiz_appeals
from trainer.quizzes.lookups import get_attempt_or_404
from trainer.quizzes.review import ReviewOptions, review_items
from trainer.roleplay import appeals as roleplay_appeals
from trainer.roleplay import results, services

bp = Blueprint("appeals", __name__, url_prefix="/appeals", template_folder="templates")


def _own_session_or_404(session_id: int):
    session = services.load_session_detail(session_id)
    if session is None or session.user_id != current_user.id:
        abort(404)
    return session


def _file(file_appeal):
    """File with the form's reason: commit and go to the agent's appeals, or flash why not."""
    try:
        file_appeal(request.form.get("reason", ""))
    except AppealError as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    db.session.commit()
    flash(_("Your appeal is filed. A trainer will answer it."), "success")
    return redirect(url_for("appeals.mine"))


@bp.route("/roleplay/<int:session_id>/<item_id>", methods=["GET", "POST"])
@role_required(AGENT)
def roleplay_appeal(session_id: int, item_id: str):
    """Dispute one rubric item of one's own graded role-play, once, with a reason."""
    session = _own_session_or_404(session_id)
    back = url_for("roleplay.result", session_id=session.id)
    try:
        item = roleplay_appeals.check_appealable(session, current_user, item_id)
    except AppealError as error:
        flash(str(error), "error")
        return redirect(back)
    if request.method == "POST":
        filed = _file(
            lambda reason: roleplay_appeals.file_roleplay_appeal(
                session, current_user, item_id, reason
            )
        )
        if filed is not None:
            return filed
    return render_template(
        "appeals/file.html",
        appeal=common.existing(ROLEPLAY, session.grade.id, item_id),
        subject=session.scenario.title,
        item_title=item["title"],
        score=item["score"],
        evidence=item.get("evidence") or item.get("justification") or "",
        back=back,
    )


@bp.route("/quiz/<int:attempt_id>/<int:slot>", methods=["GET", "POST"])
@role_required(AGENT)
def quiz_appeal(attempt_id: int, slot: int):
    """Dispute the marking of one question of one's own finished attempt, once."""
    attempt = get_attempt_or_404(attempt_id, current_user)
    back = url_for("quiz_attempts.review", attempt_id=attempt.id)
    try:
        answer = quiz_appeals.check_appealable(attempt, current_user, slot)
    except AppealError as error:
        flash(str(error), "error")
        return redirect(back)
    if request.method == "POST":
        filed = _file(
            lambda reason: quiz_appeals.file_quiz_appeal(attempt, current_user, slot, reason)
        )
        if filed is not None:
            return filed
    return render_template(
        "appeals/file.html",
        appeal=common.existing(QUIZ, attempt.id, str(slot)),
        subject=attempt.quiz.title,
        item_title=_("Question %(n)d", n=slot + 1),
        score=answer.fraction,
        evidence="",
        back=back,
    )


@bp.get("/mine")
@role_required(AGENT)
def mine():
    """The agent's appeals and their answers."""
    return render_template("appeals/mine.html", appeals=common.own_appeals(current_user))


@bp.get("/")
@role_required(TRAINER, ADMIN)
def queue():
    """Open appeals, oldest first; or, from the calibration page, the appeals on one role-play
    rubric item (`scenario`, `item`) with one outcome (`status`: open, kept, changed)."""
    slug, item = request.args.get("scenario", ""), request.args.get("item", "")
    status = request.args.get("status", OPEN)
    if status not in (OPEN, KEPT, CHANGED):
        status = OPEN
    if not (slug and item):
        return render_template("appeals/queue.html", appeals=common.open_queue(), status=OPEN)
    appeals = roleplay_appeals.item_appeals(slug[:120], item[:60], status)
    return render_template(
        "appeals/queue.html", appeals=appeals, status=status, scenario=slug, item=item
    )


def _detail_context(appeal: Appeal) -> dict:
    if appeal.kind == ROLEPLAY:
        grade = roleplay_appeals.grade_of(appeal)
        session = services.load_session_detail(grade.session_id)
        context = results.result_context(session)
        item = next((i for i in context["items"] if i["id"] == appeal.item), None)
        return {**context, "item": item, "scores": roleplay_appeals.scores_for(appeal)}
    attempt = quiz_appeals.attempt_of(appeal)
    items = review_items(attempt, ReviewOptions(True, True))
    item = next((i for i in items if str(i.view.slot) == appeal.item), None)
    return {"attempt": attempt, "quiz_item": item, "scores": quiz_appeals.MARKS}


def _score(raw: str | None, kind: str):
    """The submitted new score: an int (role-play), a fraction (quiz), None for N/A; or error."""
    if raw in (None, ""):
        raise AppealError(_("Choose the new score."))
    if raw == "na" and kind == ROLEPLAY:
        return None
    try:
        return int(raw) if kind == ROLEPLAY else float(raw)
    except ValueError as error:
        raise AppealError(_("Choose the new score.")) from error


@bp.route("/<int:appeal_id>", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def decide(appeal_id: int):
    """The appeal with the transcript or question and the grader's evidence; keep or change."""
    appeal = db.session.get(Appeal, appeal_id) or abort(404)
    if request.method == "POST" and appeal.status == OPEN:
        change = request.form.get("decision") == "change"
        comment = request.form.get("comment", "")
        decide_fn = (
            roleplay_appeals.decide_roleplay_appeal
            if appeal.kind == ROLEPLAY
            else quiz_appeals.decide_quiz_appeal
        )
        try:
            score = _score(request.form.get("score"), appeal.kind) if change else None
            decide_fn(appeal, current_user, comment, score, change=change)
        except AppealError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The appeal is answered and the agent is notified."), "success")
            return redirect(url_for("appeals.queue"))
        appeal = db.session.get(Appeal, appeal_id)
    return render_template("appeals/decide.html", appeal=appeal, **_detail_context(appeal))
