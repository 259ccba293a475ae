"""Trainer review queue and overrides, calibration, team results and assignments."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, MANAGER, TRAINER, role_required
from trainer.core.i18n import _
from trainer.core.inputs import page_number
from trainer.extensions import db
from trainer.roleplay import assigning, calibration, catalog, results, services
from trainer.roleplay import review as reviews
from trainer.roleplay.forms import AssignForm, review_form
from trainer.roleplay.models import RoleplayAssignment

bp = Blueprint(
    "roleplay_review", __name__, url_prefix="/roleplay/review", template_folder="../templates"
)


def get_reviewable_session_or_404(session_id: int):
    """A graded, non-trial session with everything the review page shows."""
    session = services.load_session_detail(session_id)
    if session is None or session.grade is None or session.trial:
        abort(404)
    return session


def _team_scope() -> int | None:
    """Managers see their own team only (a manager without a team sees nobody)."""
    if current_user.role == MANAGER:
        return current_user.team_id or -1
    return None


@bp.get("/")
@role_required(TRAINER, ADMIN)
def queue():
    """Graded sessions to review, flagged ones first."""
    status = request.args.get("status", reviews.PENDING)
    if status not in (reviews.PENDING, reviews.REVIEWED, reviews.ALL):
        status = reviews.PENDING
    slug = request.args.get("scenario", "")
    page = page_number(request.args.get("page"))
    rows, total = reviews.review_queue(status, slug, page=page)
    return render_template(
        "roleplay/review/queue.html",
        rows=rows,
        total=total,
        status=status,
        scenario=slug,
        page=page,
        page_size=reviews.PAGE_SIZE,
        scenarios=catalog.all_scenarios(),
    )


@bp.route("/<int:session_id>", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def review(session_id: int):
    """Read the transcript, override item scores with a comment, complete the review."""
    session = get_reviewable_session_or_404(session_id)
    context = results.result_context(session)
    form = review_form(context["items"], reviews.na_allowed(session), reviews.form_data(session))
    if form.validate_on_submit():
        try:
            reviews.save_review(
                session.grade,
                current_user,
                reviews.decisions_from(form, context["items"]),
                form.comment.data or "",
            )
        except reviews.ReviewError as error:
            db.session.rollback()
            for item_id, message in error.item_errors.items():
                getattr(form, f"note_{item_id}").errors = [message]
            flash(_("The review was not saved; see the marked items."), "error")
        else:
            db.session.commit()
            flash(_("Review saved. The agent now sees the reviewed grade."), "success")
            return redirect(url_for("roleplay_review.queue"))
    return render_template("roleplay/review/review.html", form=form, **context)


@bp.get("/calibration", endpoint="calibration")
@role_required(TRAINER, MANAGER, ADMIN)
def calibration_page():
    """Agreement between automatic and trainers' grades per scenario and item."""
    judge = request.args.get("judge", "")
    if judge not in ("", "llm", "offline", "offline_fallback"):
        judge = ""
    report = calibration.calibration_report(judge)
    return render_template(
        "roleplay/review/calibration.html",
        report=report,
        judge=judge,
        judge_counts=calibration.judge_counts(),
    )


@bp.get("/results", endpoint="results")
@role_required(TRAINER, MANAGER, ADMIN)
def results_page():
    """Graded sessions (managers: their team's), newest first."""
    slug = request.args.get("scenario", "")
    page = page_number(request.args.get("page"))
    rows, total = reviews.review_queue(reviews.ALL, slug, team_id=_team_scope(), page=page)
    return render_template(
        "roleplay/review/results.html",
        rows=rows,
        total=total,
        scenario=slug,
        page=page,
        page_size=reviews.PAGE_SIZE,
        scenarios=catalog.all_scenarios(),
    )


@bp.route("/assign", methods=["GET", "POST"])
@role_required(TRAINER, MANAGER, ADMIN)
def assign():
    """Assign a published scenario to a team or an agent; list current assignments."""
    form = AssignForm()
    assigning.fill_choices(form, current_user)
    if form.validate_on_submit():
        try:
            count = assigning.assign_from_form(form, current_user)
        except ValueError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Assigned to %(n)d agent(s).", n=count), "success")
            return redirect(url_for("roleplay_review.assign"))
    rows = assigning.visible_assignments(current_user)
    return render_template("roleplay/review/assign.html", form=form, rows=rows)


@bp.post("/assign/<int:assignment_id>/remove")
@role_required(TRAINER, MANAGER, ADMIN)
def remove_assignment(assignment_id: int):
    """Withdraw an assignment (managers: their own team's only)."""
    assignment = db.get_or_404(RoleplayAssignment, assignment_id)
    if not assigning.may_manage(current_user, assignment):
        abort(404)
    services.remove_assignment(assignment, actor=current_user)
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return redirect(url_for("roleplay_review.assign"))
