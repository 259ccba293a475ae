"""Forgotten password: ask for a link by e-mail, set a new password through it; admin links."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from trainer.accounts import recovery, services
from trainer.accounts.models import User
from trainer.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from trainer.core.auth import ADMIN, public, role_required
from trainer.core.i18n import _, _l, current_language
from trainer.core.jobs import enqueue
from trainer.core.mail import absolute
from trainer.extensions import db, limiter

bp = Blueprint("recovery", __name__, template_folder="templates")


class ForgotForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """The new password, twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


def _email_key() -> str:
    """Throttle per client and address, so one address cannot be flooded with mails."""
    return f"{request.remote_addr}|{services.normalise_email(request.form.get('email', ''))}"


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RESET_RATE_LIMIT_ACCOUNT"], methods=["POST"], key_func=_email_key
)
def forgot():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        # The job looks the address up and mails the link: this request does the same work
        # (and takes the same time) for every address.
        enqueue(
            "accounts.password_reset_mail",
            services.normalise_email(form.email.data),
            current_language(),
        )
        db.session.commit()
        flash(
            _(
                "If an account uses this address, a reset link is on its way. It works for %(n)s "
                "minutes.",
                n=current_app.config["TRAINER_RESET_TOKEN_MINUTES"],
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_IP"], methods=["POST"])
def reset(token: str):
    """Choose a new password through a reset link (the link works once)."""
    if recovery.valid_token(token) is None:
        flash(_("This reset link is not valid any more. Ask for a new one."), "error")
        return redirect(url_for("recovery.forgot"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.complete_reset(token, form.password.data)
        except recovery.RecoveryError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed. Sign in with it now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, min_length=MIN_LENGTH)


@bp.post("/admin/users/<int:user_id>/reset-link")
@role_required(ADMIN)
def admin_link(user_id: int):
    """Make a one-time reset link for a user to pass on; no password is ever shown."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        abort(400)
    raw = recovery.issue_token(user, recovery.ADMIN_LINK, actor=current_user)
    db.session.commit()
    page = render_template(
        "accounts/reset_link.html",
        user=user,
        link=absolute(url_for("recovery.reset", token=raw)),
        hours=current_app.config["TRAINER_ADMIN_RESET_LINK_HOURS"],
    )
    return page, 200, {"Cache-Control": "no-store"}
