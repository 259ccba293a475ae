"""The admin pages that edit a shipped YAML config, for every feature that has one.

The KPI catalogue and the certification levels are edited the same way: the page shows the text
in force, a saved copy is validated first (problems come back with line numbers) and applies at
once; a reset goes back to the shipped file. Each feature keeps its own routes, template and
wording, calls these helpers from its views and includes `_config_editor.html` in its page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.core import configdocs
from trainer.core.configdocs import ConfigSource
from trainer.core.forms import ConfigForm
from trainer.core.problems import ProblemsError
from trainer.extensions import db


@dataclass(frozen=True)
class EditableConfig:
    """A configuration document that admins may override, and the page that edits it."""

    source: ConfigSource
    edit_endpoint: str


def edit_config_page(
    config: EditableConfig, *, template: str, saved_message: str, context: Callable[[], dict]
):
    """Show the config in force, or save the posted text and redirect back to the page.

    `context()` supplies the template's feature-specific values; it is called after a failed
    save too, so the page always describes the config in force, not the rejected text.
    """
    text, override = configdocs.effective_text(config.source.name, config.source.shipped)
    form = ConfigForm(content=text)
    problems = []
    if form.validate_on_submit():
        try:
            configdocs.save_override(
                config.source.name,
                form.content.data,
                validate=config.source.parse,
                actor=current_user,
            )
        except ProblemsError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash(saved_message, "success")
            return redirect(url_for(config.edit_endpoint))
    return render_template(template, form=form, problems=problems, override=override, **context())


def reset_config(config: EditableConfig, *, reset_message: str):
    """Drop the admin's version so the shipped file applies again, then back to the page."""
    if configdocs.reset_override(config.source.name, actor=current_user):
        db.session.commit()
        flash(reset_message, "success")
    return redirect(url_for(config.edit_endpoint))
