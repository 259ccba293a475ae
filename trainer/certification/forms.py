"""Certification forms: approve/reject, override grant, revoke, endorse, check now."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from trainer.core.i18n import _l


class CheckNowForm(FlaskForm):
    """No fields: the agent asks for their level to be checked now."""


class ApproveForm(FlaskForm):
    """A manager approves a proposed level (an override when requirements are missing)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    override = BooleanField(_l("Grant even though requirements are missing (override)"))


class ReasonForm(FlaskForm):
    """A decision that must say why: reject a proposal, revoke a level."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class GrantForm(FlaskForm):
    """A manager grants a level directly (an override), with a reason."""

    level = SelectField(_l("Level"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class EndorseForm(FlaskForm):
    """A trainer endorses an agent for a level that needs an endorsement."""

    agent_id = SelectField(_l("Agent"), coerce=int)
    level = SelectField(_l("Level"))
    comment = TextAreaField(
        _l("Why this agent is ready"), validators=[DataRequired(), Length(max=2000)]
    )
