"""Agents run drills: pick one, work the parallel chats, see the measured results."""

import itertools

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from trainer.core.auth import role_required
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.drills import catalog, figures, history, phrases, runs, timeline
from trainer.drills.forms import PhraseForm
from trainer.drills.lookups import get_drill_or_404, get_own_run_or_404, get_viewable_run_or_404
from trainer.drills.models import RUNNING
from trainer.drills.results import grading_progress, summarise_runs
from trainer.drills.workspace import workspace_state
from trainer.extensions import db
from trainer.roleplay import sessions
from trainer.roleplay import turns as replies
from trainer.roleplay.streaming import sse_response

bp = Blueprint("drills", __name__, url_prefix="/drills", template_folder="templates")

PLAYERS = ("agent", "trainer", "admin")


@bp.get("/")
@role_required(*PLAYERS)
def index():
    """The drills, the agent's running drill and past results."""
    past = history.user_runs(current_user)
    return render_template(
        "drills/index.html",
        drills=catalog.all_drills(),
        running=runs.active_run(current_user),
        past=past,
        summaries=summarise_runs(past),
    )


@bp.post("/<slug>/start")
@role_required(*PLAYERS)
def start(slug: str):
    """Start a drill now (its customers arrive by the server's clock)."""
    drill = get_drill_or_404(slug)
    try:
        run = runs.start_run(current_user, drill)
    except runs.DrillRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("drills.index"))
    db.session.commit()
    return redirect(url_for("drills.workspace", run_id=run.id))


@bp.get("/runs/<int:run_id>")
@role_required(*PLAYERS)
def workspace(run_id: int):
    """The parallel chats (a finished run goes to its results)."""
    run = get_own_run_or_404(run_id)
    if run.status != RUNNING:
        return redirect(url_for("drills.results", run_id=run.id))
    return render_template(
        "drills/workspace.html",
        run=run,
        spec=run.version.spec,
        state=workspace_state(run),
        phrases=phrases.user_phrases(current_user),
    )


def _advance(run) -> bool:
    """Persist what is due and commit (nothing to commit when nothing was due); when the run
    ended, queue its grading."""
    try:
        advanced = runs.advance_run(run, utcnow())
        if advanced.changed:
            db.session.commit()
    except (IntegrityError, OperationalError, runs.Superseded):
        # The agent's message landed at the same moment; the next request advances again.
        db.session.rollback()
        return False
    if advanced.finished:
        _queue_grading(run)
    return advanced.finished


def _queue_grading(run) -> None:
    """Queue the grading job of each ended conversation, store the run's figures (grading
    pending) and commit: a worker grades them (in immediate mode, without a worker, they run as
    this commits), each grade storing the figures again."""
    runs.queue_grading(run)
    figures.store([run])
    _load_user()
    db.session.commit()


@bp.post("/runs/<int:run_id>/tick")
@role_required(*PLAYERS)
def tick(run_id: int):
    """The page's heartbeat: record arrivals, follow-ups and departures; the state as JSON."""
    run = get_own_run_or_404(run_id)
    _advance(run)
    run = get_own_run_or_404(run_id)
    state = workspace_state(run)
    if run.status != RUNNING:
        state["results_url"] = url_for("drills.results", run_id=run.id)
    return jsonify(state)


def _customer_session(run, position: int):
    customer = next((c for c in run.customers if c.position == position), None)
    if customer is None or customer.session_id is None:
        return None
    from trainer.roleplay.models import RoleplaySession

    return db.session.get(
        RoleplaySession, customer.session_id, options=[db.joinedload(RoleplaySession.version)]
    )


@bp.post("/runs/<int:run_id>/customers/<int:position>/turns")
@role_required(*PLAYERS)
def post_turn(run_id: int, position: int):
    """Store the agent's message to one customer, then stream that customer's reply."""
    run = get_own_run_or_404(run_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return jsonify(error=_('Send the message as JSON: {"text": "..."}.')), 400
    _advance(run)
    run = get_own_run_or_404(run_id)
    session = _customer_session(run, position)
    if run.status != RUNNING or session is None:
        return jsonify(error=_("This customer is no longer waiting for you.")), 409
    try:
        saved, job = replies.post_agent_message(session, current_user, body["text"])
    except sessions.TurnRefused as refused:
        return jsonify(error=refused.message), refused.status
    return _reply_stream(session, saved, job)


@bp.post("/runs/<int:run_id>/customers/<int:position>/reply")
@role_required(*PLAYERS)
def retry_reply(run_id: int, position: int):
    """Ask again for a customer's reply to the agent's unanswered message."""
    run = get_own_run_or_404(run_id)
    session = _customer_session(run, position)
    if session is None:
        return jsonify(error=_("This customer is no longer waiting for you.")), 409
    try:
        sessions.check_retry(session, current_user)
    except sessions.TurnRefused as refused:
        return jsonify(error=refused.message), refused.status
    return _reply_stream(session)


def _reply_stream(session, saved: dict | None = None, job: replies.ReplyJob | None = None):
    job = job or replies.prepare_reply(session)
    if job is None:
        return jsonify(error=_("There is no message waiting for an answer.")), 409
    _load_user()
    db.session.close()  # no connection held while the customer's reply streams
    events = replies.run_reply(job)
    return sse_response(itertools.chain([saved], events) if saved else events)


def _load_user() -> None:
    """Load the signed-in user, read again after the view, before the database session closes."""
    current_user.is_active  # noqa: B018 - loads the attributes before detaching


@bp.post("/runs/<int:run_id>/finish")
@role_required(*PLAYERS)
def finish(run_id: int):
    """End the drill now; the open conversations end and are graded."""
    run = get_own_run_or_404(run_id)
    if run.status == RUNNING and not _advance(run):
        try:
            runs.finish_run(get_own_run_or_404(run_id), utcnow())
            db.session.commit()
        except (IntegrityError, OperationalError, runs.Superseded):
            db.session.rollback()  # finished by the page's tick at the same moment
        _queue_grading(get_own_run_or_404(run_id))
    return redirect(url_for("drills.results", run_id=run_id))


@bp.get("/runs/<int:run_id>/results")
@role_required(*PLAYERS, "manager")
def results(run_id: int):
    """Per conversation and per drill figures, the score with its formula, the timeline."""
    run = get_viewable_run_or_404(run_id)
    if run.status == RUNNING and run.user_id == current_user.id:
        return redirect(url_for("drills.workspace", run_id=run.id))
    summary = summarise_runs([run])[run.id]
    return render_template(
        "drills/results.html",
        run=run,
        spec=run.version.spec,
        summary=summary,
        grading=grading_progress(summary),
        chart=timeline.timeline_svg(summary),
    )


@bp.get("/runs/<int:run_id>/grading")
@role_required(*PLAYERS, "manager")
def grading_status(run_id: int):
    """Where grading of the run's conversations stands, for the results page to poll (reads
    only); the score once every served conversation is graded."""
    run = get_viewable_run_or_404(run_id)
    summary = summarise_runs([run])[run.id]
    progress = grading_progress(summary)
    return jsonify(
        status=run.status,
        pending=summary.grading_pending,
        graded=progress["graded"],
        total=progress["total"],
        score=summary.score,
        message=progress["message"],
    )


@bp.get("/phrases")
@role_required(*PLAYERS)
def phrase_list():
    """The agent's quick replies, with a form to add one."""
    return render_template(
        "drills/phrases.html", phrases=phrases.user_phrases(current_user), form=PhraseForm()
    )


@bp.post("/phrases")
@role_required(*PLAYERS)
def add_phrase():
    """Save a quick reply."""
    form = PhraseForm()
    if form.validate_on_submit():
        try:
            phrases.add_phrase(current_user, form.text.data)
            db.session.commit()
            flash(_("Phrase saved."), "success")
            return redirect(url_for("drills.phrase_list"))
        except phrases.PhraseRefused as refused:
            db.session.rollback()
            form.text.errors = [str(refused)]
    return render_template(
        "drills/phrases.html", phrases=phrases.user_phrases(current_user), form=form
    ), 400


@bp.post("/phrases/<int:phrase_id>/delete")
@role_required(*PLAYERS)
def delete_phrase(phrase_id: int):
    """Delete one of the agent's phrases."""
    if phrases.delete_phrase(current_user, phrase_id):
        db.session.commit()
        flash(_("Phrase deleted."), "success")
    return redirect(url_for("drills.phrase_list"))
