"""Admins and trainers read, preview and edit the platform compliance policy (versioned)."""

from pathlib import Path

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
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.i18n import _, _l
from trainer.courses.achievements import lesson_titles, lesson_url
from trainer.extensions import db
from trainer.roleplay.policy import find_breaches, store
from trainer.roleplay.policy.content import lint
from trainer.roleplay.policy.models import PolicyVersion
from trainer.roleplay.policy.spec import Policy, PolicyError, compile_policy

bp = Blueprint(
    "roleplay_policy",
    __name__,
    url_prefix="/roleplay/manage/policy",
    template_folder="../templates",
)
MAX_SAMPLES = 20


class PolicyForm(FlaskForm):
    """The policy YAML, a note for the version, and sample replies to preview."""

    yaml_text = TextAreaField(_l("Policy YAML"), validators=[DataRequired(), Length(max=100_000)])
    note = StringField(
        _l("What changed"),
        validators=[Optional(), Length(max=500)],
        description=_l("Kept with the version in the history."),
    )
    samples = TextAreaField(
        _l("Sample agent replies"),
        validators=[Optional(), Length(max=10_000)],
        description=_l("One reply per line; the preview checks them against the edited policy."),
    )


def _content_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def _readable(policy: Policy) -> list[dict]:
    """The rules with their lesson links and titles, for the page."""
    titles = lesson_titles([rule.lesson for rule in policy.rules])
    rules = []
    for rule in policy.rules:
        course, _sep, lesson = rule.lesson.partition("/")
        link = lesson_url(course, lesson) if lesson else None
        rules.append(
            {
                "rule": rule,
                "lesson_url": link,
                "lesson_title": titles.get(rule.lesson),
                "patterns": len(rule.matchers),
            }
        )
    return rules


@bp.get("")
@role_required(TRAINER, ADMIN)
def show():
    """The policy in force, rule by rule, and its version history."""
    try:
        policy, problems = store.active_policy(), []
    except PolicyError as error:  # a broken shipped file and nothing stored: say so, fix it
        policy, problems = None, error.problems
    return render_template(
        "roleplay/manage/policy.html",
        policy=policy,
        problems=problems,
        rules=_readable(policy) if policy else [],
        versions=store.versions(),
    )


@bp.get("/versions/<int:number>")
@role_required(TRAINER, ADMIN)
def version(number: int):
    """One stored version's YAML, read-only."""
    row = db.session.scalar(db.select(PolicyVersion).where(PolicyVersion.number == number))
    if row is None:
        abort(404)
    return render_template("roleplay/manage/policy_version.html", version=row)


def _preview(policy: Policy, samples: str) -> list[dict]:
    lines = [line.strip() for line in samples.splitlines() if line.strip()][:MAX_SAMPLES]
    results = []
    for text in lines:
        found = find_breaches(text[:1000], policy=policy)
        results.append(
            {
                "text": text,
                "breaches": [{"breach": b, "title": policy.rule(b.policy).title} for b in found],
            }
        )
    return results


@bp.route("/edit", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit():
    """Edit the YAML; preview sample replies against the edit; save it as a new version."""
    form = PolicyForm()
    problems, preview = [], None
    if not form.is_submitted():
        form.yaml_text.data = store.active_text()
    if form.validate_on_submit():
        text = form.yaml_text.data.replace("\r\n", "\n")
        data, problems = lint(text, _content_root())
        if not problems and request.form.get("action") == "save":
            try:
                saved = store.save_version(
                    text, source=store.EDITOR, actor=current_user, note=form.note.data or ""
                )
            except PolicyError as error:  # pragma: no cover - lint found none above
                db.session.rollback()
                problems = error.problems
            else:
                db.session.commit()
                if saved is None:
                    flash(_("No changes to save."), "info")
                else:
                    flash(_("Saved as version %(n)d.", n=saved.number), "success")
                return redirect(url_for("roleplay_policy.show"))
        if not problems:
            preview = _preview(compile_policy(data), form.samples.data or "")
    status = 400 if problems else 200
    return render_template(
        "roleplay/manage/policy_edit.html", form=form, problems=problems, preview=preview
    ), status
