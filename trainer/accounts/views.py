"""Sign-in, sign-out, own password, and the admin pages for users and teams."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from trainer.accounts import services, sessions, totp, totp_views
from trainer.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    TeamForm,
    UserCreateForm,
    UserForm,
)
from trainer.accounts.models import Team, User
from trainer.core.auth import ADMIN, public, role_required, signed_in
from trainer.core.forms import choices
from trainer.core.i18n import _
from trainer.core.urls import safe_next_url
from trainer.extensions import db, limiter

bp = Blueprint("accounts", __name__, template_folder="templates")


def _login_account_key() -> str:
    """Throttle key per client and email, so guessing one account cannot lock out its owner."""
    return f"{request.remote_addr}|{services.normalise_email(request.form.get('email', ''))}"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and totp.enabled_for(user):  # two-step sign-in (issue 13)
            db.session.commit()
            return totp_views.challenge(user, request.args.get("next"))
        if user is not None:
            sessions.start_session(user)
            login_user(user)
            db.session.commit()
            return redirect(safe_next_url(request.args.get("next")))
        db.session.commit()
        flash(_("Email or password is not correct, or the account is deactivated."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    """Sign out and revoke the session on the server."""
    sessions.end_session()
    logout_user()
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except services.AccountError as error:
            form.new_password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/password.html", form=form)


def _team_choices() -> list[tuple[int, str]]:
    teams = db.session.scalars(db.select(Team).order_by(Team.name))
    return choices([(0, _("— no team —"))] + [(t.id, t.name) for t in teams])


def _team_or_none(team_id: int) -> Team | None:
    return db.session.get(Team, team_id) if team_id else None


def _manager_or_none(user_id: int) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _committed(change: Callable[[], object], success: str) -> bool:
    """Run a service call as the request's one transaction.

    On success commit and flash `success`; when the service refuses, roll back and flash its
    reason, so a refused change leaves nothing behind.
    """
    try:
        change()
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


@bp.get("/admin/users")
@role_required(ADMIN)
def users():
    """All users with role, team and status."""
    role = request.args.get("role", "")
    query = db.select(User).options(db.joinedload(User.team)).order_by(User.name)
    if role:
        query = query.where(User.role == role)
    return render_template("accounts/users.html", users=db.session.scalars(query), role=role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(ADMIN)
def create_user():
    """Create a user."""
    form = UserCreateForm()
    form.team_id.choices = _team_choices()

    def create() -> None:
        user = services.create_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            team=_team_or_none(form.team_id.data),
            actor=current_user,
        )
        user.active = form.active.data

    if form.validate_on_submit() and _committed(
        create, _("User %(name)s created.", name=form.name.data.strip())
    ):
        return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_user(user_id: int):
    """Edit a user's profile, role, team, active flag; reset their password."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, team_id=user.team_id or 0)
    form.team_id.choices = _team_choices()
    if form.validate_on_submit() and _committed(
        lambda: services.update_user(
            user,
            name=form.name.data,
            email=form.email.data,
            role=form.role.data,
            team=_team_or_none(form.team_id.data),
            active=form.active.data,
            actor=current_user,
        ),
        _("Changes saved."),
    ):
        return redirect(url_for("accounts.users"))
    reset_form = PasswordResetForm(prefix="reset")
    return render_template("accounts/user_form.html", form=form, user=user, reset_form=reset_form)


@bp.post("/admin/users/<int:user_id>/password")
@role_required(ADMIN)
def reset_password(user_id: int):
    """Set a new password for a user; their sessions end."""
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm(prefix="reset")
    if not form.validate_on_submit():
        abort(400)
    _committed(
        lambda: services.reset_password(user, form.password.data, actor=current_user),
        _("Password reset; the user must sign in again."),
    )
    return redirect(url_for("accounts.edit_user", user_id=user.id))


def _manager_choices() -> list[tuple[int, str]]:
    managers = db.session.scalars(
        db.select(User).where(User.role == "manager", User.active).order_by(User.name)
    )
    return choices([(0, _("— none —"))] + [(m.id, f"{m.name} <{m.email}>") for m in managers])


@bp.route("/admin/teams", methods=["GET", "POST"])
@role_required(ADMIN)
def teams():
    """List teams and create one."""
    form = TeamForm()
    form.manager_id.choices = _manager_choices()
    if form.validate_on_submit() and _committed(
        lambda: services.create_team(
            form.name.data, _manager_or_none(form.manager_id.data), actor=current_user
        ),
        _("Team created."),
    ):
        return redirect(url_for("accounts.teams"))
    rows = db.session.execute(
        db.select(Team, db.func.count(User.id))
        .outerjoin(User, User.team_id == Team.id)
        .options(db.joinedload(Team.manager))
        .group_by(Team.id)
        .order_by(Team.name)
    ).all()
    return render_template("accounts/teams.html", rows=rows, form=form)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_team(team_id: int):
    """Rename a team or change its manager."""
    team = db.get_or_404(Team, team_id)
    form = TeamForm(obj=team, manager_id=team.manager_id or 0)
    form.manager_id.choices = _manager_choices()
    if form.validate_on_submit() and _committed(
        lambda: services.update_team(
            team,
            name=form.name.data,
            manager=_manager_or_none(form.manager_id.data),
            actor=current_user,
        ),
        _("Changes saved."),
    ):
        return redirect(url_for("accounts.teams"))
    return render_template("accounts/team_form.html", form=form, team=team)
