"""Certification: level rules, evaluation (met / missing), approvals, lapses, certificates.

It sits on top of the other features and reads them only through their public APIs; nothing
but the app's registration imports it (scorecards gets levels through a registered source).
"""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register blueprints, the `cert` CLI, navigation, home panels, demo data, level source."""
    from trainer.certification import (
        admin_views,
        certificate_views,
        cli,
        demo,
        endorsement_views,
        home,
        presenting,
        public_views,
        views,
    )
    from trainer.certification.evidence import ladder_kpi_window
    from trainer.certification.services import incentive_levels
    from trainer.core.auth import ADMIN, AGENT, MANAGER, TRAINER
    from trainer.core.content import DemoSeeder, add_demo_seeder
    from trainer.core.features import CERTIFICATION, add_action_source, add_home_widget, add_nav
    from trainer.scorecards.agentkpis import register_window
    from trainer.scorecards.levels import register_level_source

    for blueprint in (
        views.bp,
        certificate_views.bp,
        endorsement_views.bp,
        public_views.bp,
        admin_views.bp,
    ):
        app.register_blueprint(blueprint)
    app.cli.add_command(cli.cert_group)
    register_level_source(app, incentive_levels)
    app.jinja_env.globals["quiz_title"] = presenting.quiz_title
    register_window(app, ladder_kpi_window)  # the level panel's KPIs, read with the others
    add_nav(app, "certification.my_level", _l("My level"), {AGENT}, order=45)
    add_nav(
        app,
        "certification.review",
        _l("Certification"),
        {MANAGER, ADMIN},
        order=45,
        group=CERTIFICATION,
    )
    add_nav(app, "endorsements.index", _l("Endorsements"), {TRAINER}, order=60, group=CERTIFICATION)
    add_home_widget(
        app, "certification/_home_agent.html", {AGENT}, context=home.agent_panel, order=31
    )
    add_home_widget(
        app, "certification/_home_manager.html", {MANAGER}, context=home.manager_panel, order=31
    )
    add_action_source(app, {MANAGER}, home.manager_actions, order=10)
    add_demo_seeder(app, DemoSeeder("certification", demo.seed_demo, order=50))
