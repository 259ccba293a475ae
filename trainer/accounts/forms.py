"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from trainer.accounts.passwords import MAX_LENGTH
from trainer.core.forms import choices
from trainer.core.i18n import _l

ROLE_CHOICES = choices(
    [
        ("agent", _l("Agent")),
        ("trainer", _l("Trainer")),
        ("manager", _l("Manager")),
        ("admin", _l("Admin")),
    ]
)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class PasswordChangeForm(FlaskForm):
    """A user's own password change."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class UserForm(FlaskForm):
    """An admin edits a user's profile, role, team and active flag."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    team_id = SelectField(_l("Team"), coerce=int)
    active = BooleanField(_l("Active"), default=True)


class UserCreateForm(UserForm):
    """An admin creates a user with an initial password."""

    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class PasswordResetForm(FlaskForm):
    """An admin sets a new password for a user."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class TeamForm(FlaskForm):
    """A team's name and manager."""

    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=120)])
    manager_id = SelectField(_l("Manager"), coerce=int)
