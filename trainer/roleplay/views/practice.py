"""Agents practise: pick a scenario, chat with the customer (streamed), end, see the result."""

import itertools

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from trainer.core.auth import signed_in
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import autograde, catalog, results, services, sessions
from trainer.roleplay import turns as replies
from trainer.roleplay.conversation import mood_label
from trainer.roleplay.models import ACTIVE, GRADED, RoleplaySession
from trainer.roleplay.scenarios import CATEGORIES
from trainer.roleplay.streaming import sse_response

bp = Blueprint("roleplay", __name__, url_prefix="/roleplay", template_folder="../templates")


def get_own_session_or_404(session_id: int) -> RoleplaySession:
    """The current user's own session (any other id is a 404, not a hint that it exists), with
    its scenario version (one query)."""
    session = db.session.get(
        RoleplaySession, session_id, options=[db.joinedload(RoleplaySession.version)]
    )
    if session is None or session.user_id != current_user.id:
        abort(404)
    return session


def get_viewable_session_or_404(session_id: int) -> RoleplaySession:
    """A session with its result data, if the current user may see it."""
    session = services.load_session_detail(session_id)
    if session is None or not services.can_view_session(current_user, session):
        abort(404)
    return session


def get_published_scenario_or_404(slug: str):
    """A published scenario (trainers and admins may also open unpublished ones)."""
    scenario = catalog.get_scenario(slug)
    staff = current_user.role in ("trainer", "admin")
    if scenario is None or scenario.current_version is None or not (scenario.published or staff):
        abort(404)
    return scenario


def _events(events) -> Response:
    """Server-sent events over a streamed POST response (read by fetch in roleplay.js)."""
    return sse_response(events)


@bp.get("/")
@signed_in
def catalogue():
    """Published scenarios with filters, the agent's assignments and recent practice."""
    category = request.args.get("category", "")
    difficulty = request.args.get("difficulty", type=int)
    context = results.catalogue_context(current_user, category, difficulty)
    return render_template(
        "roleplay/catalogue.html",
        categories=CATEGORIES,
        category=category,
        difficulty=difficulty,
        **context,
    )


@bp.get("/scenarios/<slug>")
@signed_in
def brief(slug: str):
    """What the scenario practises and how it is graded, with the agent's past attempts."""
    scenario = get_published_scenario_or_404(slug)
    attempts = results.attempts_on(current_user, scenario)
    return render_template(
        "roleplay/brief.html",
        scenario=scenario,
        spec=scenario.current_version.spec,
        attempts=attempts,
    )


@bp.post("/scenarios/<slug>/start")
@signed_in
def start(slug: str):
    """Start (or resume) a conversation on the scenario's current version."""
    scenario = get_published_scenario_or_404(slug)
    session = results.active_session(current_user, scenario) or sessions.start_session(
        current_user, scenario, trial=not scenario.published
    )
    db.session.commit()
    return redirect(url_for("roleplay.chat", session_id=session.id))


@bp.get("/sessions/<int:session_id>")
@signed_in
def chat(session_id: int):
    """The chat page; a finished conversation goes to its result."""
    session = get_own_session_or_404(session_id)
    if session.status != ACTIVE:
        return redirect(url_for("roleplay.result", session_id=session.id))
    turns = sessions.session_turns(session)
    spec = session.version.spec
    return render_template(
        "roleplay/chat.html",
        session=session,
        spec=spec,
        turns=turns,
        pending=turns[-1].speaker == "agent",
        mood=mood_label(spec, session.mood),
    )


@bp.post("/sessions/<int:session_id>/turns")
@signed_in
def post_turn(session_id: int):
    """Store the agent's message, then stream the customer's reply.

    The chat page's script sends JSON and reads the stream; the same form posted before the
    script has loaded (or without it) stores the message, waits for the reply and shows the
    chat page again."""
    session = get_own_session_or_404(session_id)
    if not request.is_json:
        return _post_turn_form(session)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return jsonify(error=_('Send the message as JSON: {"text": "..."}.')), 400
    try:
        saved, job = replies.post_agent_message(session, current_user, body["text"])
    except sessions.TurnRefused as refused:
        return jsonify(error=refused.message), refused.status
    return _reply_stream(session, saved, job)


def _post_turn_form(session: RoleplaySession) -> Response:
    """The chat form posted as a page: the message and the whole reply, then the chat page."""
    back = redirect(url_for("roleplay.chat", session_id=session.id))
    try:
        _saved, job = replies.post_agent_message(
            session, current_user, request.form.get("text", "")
        )
    except sessions.TurnRefused as refused:
        flash(refused.message, "error")
        return back
    if job is not None:
        _load_user()  # as in _reply_stream: the connection goes back while the model answers
        db.session.close()
        for event in replies.run_reply(job):
            if event["type"] in ("error", "notice"):
                flash(event["message"], "error" if event["type"] == "error" else "info")
    return back


@bp.post("/sessions/<int:session_id>/reply")
@signed_in
def retry_reply(session_id: int):
    """Ask again for the customer's reply to the agent's unanswered message."""
    session = get_own_session_or_404(session_id)
    try:
        sessions.check_retry(session, current_user)
    except sessions.TurnRefused as refused:
        return jsonify(error=refused.message), refused.status
    return _reply_stream(session)


def _reply_stream(
    session: RoleplaySession, saved: dict | None = None, job: replies.ReplyJob | None = None
) -> Response:
    job = job or replies.prepare_reply(session)
    if job is None:
        return jsonify(error=_("There is no message waiting for an answer.")), 409
    # The reply may take a while: hand the connection back to the pool until it is stored.
    # The signed-in user is read again after this view (response headers), so load it first.
    _load_user()
    db.session.close()
    events = replies.run_reply(job)
    return _events(itertools.chain([saved], events) if saved else events)


def _load_user() -> None:
    """Load the signed-in user, read again after the view, before the database session closes."""
    current_user.is_active  # noqa: B018 - loads the attributes before detaching


@bp.post("/sessions/<int:session_id>/end")
@signed_in
def end(session_id: int):
    """End the conversation (committed at once, with the grading job when an LLM judges);
    the offline judge grades right away."""
    session = get_own_session_or_404(session_id)
    if not sessions.end_session(session):
        db.session.commit()
        flash(_("Nothing to grade yet: the practice was discarded."), "info")
        return redirect(url_for("roleplay.catalogue"))
    db.session.commit()
    if autograde.quick():
        sessions.grade_session(session_id, _load_user)
    return redirect(url_for("roleplay.result", session_id=session_id))


@bp.post("/sessions/<int:session_id>/grade")
@signed_in
def grade(session_id: int):
    """Have an ended conversation graded: the offline judge at once, an LLM judge by queuing
    the grading job (again, if it failed). JSON or form."""
    session = get_viewable_session_or_404(session_id)
    as_json = request.accept_mimetypes.best == "application/json"
    if session.status == ACTIVE:
        message = _("End the conversation before grading it.")
        if as_json:
            return jsonify(error=message), 409
        flash(message, "error")
        return redirect(url_for("roleplay.result", session_id=session_id))
    if autograde.quick():
        sessions.grade_session(session_id, _load_user)
    elif session.status != GRADED:
        autograde.queue(session_id)
        db.session.commit()
    progress = autograde.progress(session_id)
    if as_json:
        body = {"status": progress.state, "message": grading_message(progress)}
        return jsonify(body), 200 if progress.state == GRADED else 202
    if progress.state != GRADED:
        flash(grading_message(progress), "info")
    return redirect(url_for("roleplay.result", session_id=session_id))


def grading_message(progress: autograde.Progress) -> str:
    """What the waiting page says about grading that is under way."""
    if progress.state == "queued" and progress.waiting:
        return _(
            "Still waiting for grading to start: no background worker seems to be running. "
            "Tell an administrator."
        )
    messages = {
        "idle": _("Sending the conversation for grading…"),
        "queued": _("Waiting in line for the AI grader…"),
        "judging": _("The AI grader is reading the conversation…"),
        "retrying": _(
            "The AI grader did not answer; it will be asked again shortly (%(n)s tries so far).",
            n=progress.attempts,
        ),
        "failed": _("The grade could not be worked out. Try again."),
        "graded": _("Graded. Showing the result…"),
    }
    return messages.get(progress.state, "")


@bp.get("/sessions/<int:session_id>/grading")
@signed_in
def grading_status(session_id: int):
    """Where grading stands, for the waiting page to poll (reads only)."""
    get_viewable_session_or_404(session_id)
    progress = autograde.progress(session_id)
    return jsonify(
        status=progress.state,
        attempts=progress.attempts,
        waiting=progress.waiting,
        message=grading_message(progress),
    )


@bp.get("/sessions/<int:session_id>/result")
@signed_in
def result(session_id: int):
    """Total, pass/fail, each item with evidence, charts and coaching links."""
    session = get_viewable_session_or_404(session_id)
    if session.status == ACTIVE and session.user_id == current_user.id:
        return redirect(url_for("roleplay.chat", session_id=session.id))
    context = results.result_context(session)
    if context["grade"] is None and session.status != ACTIVE:
        progress = autograde.progress(session.id)
        context.update(grading=progress, grading_message=grading_message(progress))
    return render_template("roleplay/result.html", **context)
