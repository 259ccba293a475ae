"""OKR pages: the agent drafts, submits and updates progress; the manager approves or returns."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, AGENT, MANAGER, role_required
from trainer.core.clock import today
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.access import get_own_key_result_or_404, get_reviewable_set_or_404
from trainer.scorecards.forms import OkrDecisionForm, OkrDraftForm, ProgressForm
from trainer.scorecards.periods import QUARTER_RE, previous_quarter, quarter_bounds, quarter_of

bp = Blueprint("okrs", __name__, url_prefix="/okrs", template_folder="templates")


def _quarter_or_404(quarter: str) -> str:
    if not QUARTER_RE.match(quarter):
        abort(404)
    return quarter


def _next_quarter(quarter: str) -> str:
    _start, end = quarter_bounds(quarter)
    return quarter_of(end + timedelta(days=1))


@bp.get("/")
@role_required(AGENT)
def my_okrs():
    """The agent's OKRs: this quarter's with progress forms, and earlier quarters."""
    current = quarter_of(today())
    sets = okrs.agent_sets(current_user.id)
    return render_template(
        "okrs/index.html",
        sets=sets,
        current=current,
        upcoming=_next_quarter(current),
        previous=previous_quarter(current),
        progress_form=ProgressForm(),
    )


def _fill(form: OkrDraftForm, okr_set) -> None:
    """Put a saved draft's objectives into the form's fixed rows."""
    for o_form, objective in zip(form.objectives, okr_set.objectives, strict=False):
        o_form.form.title.data = objective.title
        for kr_form, kr in zip(o_form.form.key_results, objective.key_results, strict=False):
            sub = kr_form.form
            sub.title.data, sub.unit.data = kr.title, kr.unit
            sub.start_value.data, sub.target.data, sub.weight.data = (
                kr.start_value,
                kr.target,
                kr.weight,
            )


@bp.route("/<quarter>/edit", methods=["GET", "POST"])
@role_required(AGENT)
def edit_okrs(quarter: str):
    """Draft (or rework returned) OKRs for a quarter."""
    quarter = _quarter_or_404(quarter)
    okr_set = okrs.get_set(current_user.id, quarter)
    form = OkrDraftForm()
    if form.validate_on_submit() and (inputs := form.to_inputs()) is not None:
        try:
            okrs.save_draft(current_user, quarter, inputs)
        except okrs.OkrError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("Draft saved. Submit it when you are ready for your manager's approval."),
                "success",
            )
            return redirect(url_for("okrs.my_okrs"))
    elif request.method == "GET" and okr_set is not None:
        _fill(form, okr_set)
    return render_template("okrs/edit.html", form=form, quarter=quarter, okr_set=okr_set)


@bp.post("/<quarter>/submit")
@role_required(AGENT)
def submit_okrs(quarter: str):
    """Send the quarter's draft to the manager for approval."""
    okr_set = okrs.get_set(current_user.id, _quarter_or_404(quarter))
    if okr_set is None:
        abort(404)
    try:
        okrs.submit_set(okr_set, current_user)
    except okrs.OkrError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Submitted for approval."), "success")
    return redirect(url_for("okrs.my_okrs"))


@bp.post("/key-results/<int:kr_id>/progress")
@role_required(AGENT)
def update_progress(kr_id: int):
    """Record progress on one of the agent's own key results."""
    key_result = get_own_key_result_or_404(kr_id, current_user)
    form = ProgressForm()
    if not form.validate_on_submit():
        flash(_("Enter the current value as a number."), "error")
        return redirect(url_for("okrs.my_okrs"))
    try:
        okrs.update_progress(key_result, current_user, form.value.data, form.note.data or "")
    except okrs.OkrError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Progress saved."), "success")
    return redirect(url_for("okrs.my_okrs"))


@bp.get("/review")
@role_required(MANAGER, ADMIN)
def review():
    """OKRs waiting for the manager's approval."""
    team_id = current_user.team_id if current_user.role == MANAGER else None
    pending = (
        okrs.sets_awaiting_approval(team_id) if (team_id or current_user.role == ADMIN) else []
    )
    return render_template("okrs/review.html", pending=pending, form=OkrDecisionForm())


def _decide(set_id: int, decide, done: str):
    okr_set = get_reviewable_set_or_404(set_id, current_user)
    form = OkrDecisionForm()
    form.validate_on_submit()
    try:
        decide(okr_set, current_user, form.comment.data or "")
    except okrs.OkrError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("okrs.review"))


@bp.post("/sets/<int:set_id>/approve")
@role_required(MANAGER, ADMIN)
def approve(set_id: int):
    """Approve an agent's submitted OKRs."""
    return _decide(set_id, okrs.approve_set, _("OKRs approved."))


@bp.post("/sets/<int:set_id>/return")
@role_required(MANAGER, ADMIN)
def send_back(set_id: int):
    """Return an agent's OKRs for changes, with a comment."""
    return _decide(set_id, okrs.return_set, _("OKRs returned to the agent."))
