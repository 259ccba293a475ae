"""Two-factor pages: turn it on (secret, first code, recovery codes), the sign-in challenge."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from trainer.accounts import sessions, totp
from trainer.accounts.models import User
from trainer.core.auth import ADMIN, MANAGER, public, role_required
from trainer.core.i18n import _
from trainer.core.urls import safe_next_url
from trainer.extensions import db, limiter

bp = Blueprint("totp", __name__, template_folder="templates")
PENDING, PENDING_AT, PENDING_NEXT = "totp_user", "totp_at", "totp_next"
CHALLENGE_SECONDS = 300
OPEN_ENDPOINTS = {"totp.setup", "accounts.logout", "static", "core.set_locale"}


def challenge(user: User, next_url: str | None):
    """After a right password: remember who signs in and ask for the code (no session yet)."""
    session[PENDING], session[PENDING_AT] = user.id, int(time.time())
    session[PENDING_NEXT] = next_url or ""
    return redirect(url_for("totp.verify"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], methods=["POST"])
def verify():
    """Enter the authenticator's code (or a recovery code) to finish signing in."""
    user_id, started = session.get(PENDING), session.get(PENDING_AT, 0)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or time.time() - started > CHALLENGE_SECONDS:
        session.pop(PENDING, None)
        flash(_("Sign in again."), "info")
        return redirect(url_for("accounts.login"))
    if request.method == "POST":
        if totp.verify(user, request.form.get("code", "")):
            next_url = session.get(PENDING_NEXT)
            sessions.start_session(user)  # a fresh session: the pending keys go with the old
            login_user(user)
            db.session.commit()
            return redirect(safe_next_url(next_url))
        db.session.commit()  # a spent recovery code stays spent
        flash(_("The code is not correct."), "error")
    return render_template("accounts/totp_verify.html")


@bp.route("/account/two-factor", methods=["GET", "POST"])
@role_required(MANAGER, ADMIN)
def setup():
    """Turn two-step sign-in on (or off), with an authenticator app."""
    action = request.form.get("action") if request.method == "POST" else None
    if action == "start":
        secret = totp.start_enrolment(current_user)
        db.session.commit()
        return _enrol_page(secret)
    if action == "confirm":
        codes = totp.confirm(current_user, request.form.get("code", ""))
        if codes is None:
            db.session.rollback()
            flash(_("The code is not correct."), "error")
            row = totp.credential(current_user)
            return _enrol_page(row.secret) if row else redirect(url_for("totp.setup"))
        db.session.commit()
        page = render_template("accounts/totp_codes.html", codes=codes)
        return page, 200, {"Cache-Control": "no-store"}
    if action == "disable":
        if totp.required_for(current_user) or not totp.verify(
            current_user, request.form.get("code", "")
        ):
            db.session.rollback()
            flash(_("Two-step sign-in stays on."), "error")
        else:
            totp.disable(current_user, current_user)
            db.session.commit()
            flash(_("Two-step sign-in is off."), "success")
        return redirect(url_for("totp.setup"))
    return render_template(
        "accounts/totp_setup.html",
        enabled=totp.enabled_for(current_user),
        required=totp.required_for(current_user),
    )


def _enrol_page(secret: str):
    page = render_template(
        "accounts/totp_enrol.html",
        secret=secret,
        uri=totp.provisioning_uri(current_user, secret),
    )
    return page, 200, {"Cache-Control": "no-store"}


def enforce():
    """Users whose role must use two-step sign-in set it up before anything else."""
    if not current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS:
        return None
    if totp.required_for(current_user) and not totp.enabled_for(current_user):
        flash(_("Your role signs in with two steps: set it up now."), "info")
        return redirect(url_for("totp.setup"))
    return None
