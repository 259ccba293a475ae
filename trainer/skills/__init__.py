"""Skills: the skills map, evidence per agent, next steps, remediation, the team heatmap.

It sits on top of the layers (beside certification) and reads role-play grades, quiz answers,
KPI records and course progress; lower features tell it about new evidence through the
signals in core/events.py, never by importing it.
"""

import importlib

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register the blueprint, the content loader, signal receivers, nav, home panel, CLI."""
    from trainer.core import events
    from trainer.core.auth import ADMIN, AGENT, MANAGER, TRAINER
    from trainer.core.content import ContentLoader, DemoSeeder, add_content_loader, add_demo_seeder
    from trainer.core.features import PERFORMANCE, add_home_widget, add_nav
    from trainer.skills import cli, content, demo, home, notices, remediation, views

    importlib.import_module("trainer.skills.jobs")  # registers skills.refresh before any signal
    app.extensions["trainer_skills"] = True
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.skills_group)
    add_content_loader(
        app, ContentLoader("skills", content.check, content.sync, order=40, warn=content.warn)
    )
    add_demo_seeder(app, DemoSeeder("skills", demo.seed_demo, order=90))
    notices.register_kind()
    events.roleplay_graded.connect(remediation.on_roleplay_graded)
    events.quiz_attempt_finishing.connect(remediation.on_quiz_attempt_finishing)
    events.kpis_imported.connect(remediation.on_kpis_imported)
    events.lesson_completed.connect(remediation.on_lesson_completed)
    add_nav(app, "skills.mine", _l("My skills"), {AGENT}, order=46)
    add_nav(
        app, "skills.heatmap", _l("Skills"), {TRAINER, MANAGER, ADMIN}, order=46, group=PERFORMANCE
    )
    add_home_widget(app, "skills/_home_panel.html", {AGENT}, context=home.agent_panel, order=32)
    app.add_template_global(home.steps_for, "skill_next_steps")
    app.add_template_global(home.step_reason, "step_reason")
    _read_on_home(app)


def _read_on_home(app: Flask) -> None:
    """The home panel's snapshot and map version come with the session's statement."""
    from trainer.accounts.sessions import read_with_session
    from trainer.skills import snapshots, store

    home_page = frozenset({"core.home"})
    read_with_session(app, snapshots.SNAPSHOT, snapshots.snapshot_column, endpoints=home_page)
    for name, column in (
        (snapshots.MAP_ID, store.map_id_column),
        (snapshots.MAP_DIGEST, store.map_digest_column),
    ):
        read_with_session(app, name, column, per_user=False, endpoints=home_page)
