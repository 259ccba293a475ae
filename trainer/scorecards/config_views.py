"""The admin pages that edit a shipped YAML config, for every feature that has one.

The KPI catalogue and the certification levels are edited the same way: the page shows the text
in force, a saved copy is validated first (problems come back with line numbers), and the cached
parse is dropped so the new version applies at once; a reset goes back to the shipped file. Each
feature keeps its own routes, template and wording and calls these helpers from its views.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.core import configdocs
from trainer.core.problems import ProblemsError
from trainer.extensions import db
from trainer.scorecards.forms import ConfigForm


@dataclass(frozen=True)
class EditableConfig:
    """A shipped YAML config that admins may override, and the page that edits it."""

    name: str  # the override's ConfigDocument name
    shipped: Path
    parse: Callable[[str], Any]  # raises ProblemsError on a bad text
    forget_cached: Callable[[], None]
    edit_endpoint: str


def edit_config_page(
    config: EditableConfig, *, template: str, saved_message: str, context: Callable[[], dict]
):
    """Show the config in force, or save the posted text and redirect back to the page.

    `context()` supplies the template's feature-specific values; it is called after a failed
    save too, so the page always describes the config in force, not the rejected text.
    """
    text, override = configdocs.effective_text(config.name, config.shipped)
    form = ConfigForm(content=text)
    problems = []
    if form.validate_on_submit():
        try:
            configdocs.save_override(
                config.name, form.content.data, validate=config.parse, actor=current_user
            )
        except ProblemsError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            config.forget_cached()
            flash(saved_message, "success")
            return redirect(url_for(config.edit_endpoint))
    return render_template(template, form=form, problems=problems, override=override, **context())


def reset_config(config: EditableConfig, *, reset_message: str):
    """Drop the admin's version so the shipped file applies again, then back to the page."""
    if configdocs.reset_override(config.name, actor=current_user):
        db.session.commit()
        config.forget_cached()
        flash(reset_message, "success")
    return redirect(url_for(config.edit_endpoint))
