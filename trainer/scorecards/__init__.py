"""Scorecards: KPI records (CSV, upload, API), OKRs, agent and team scorecards, incentive scores."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register blueprints, the `kpi` CLI, navigation, home panels and demo data."""
    from trainer.core.auth import ADMIN, AGENT, MANAGER
    from trainer.core.content import DemoSeeder, add_demo_seeder
    from trainer.core.features import PERFORMANCE, add_action_source, add_home_widget, add_nav
    from trainer.scorecards import admin_views, api, cli, demo, home, okr_views, views
    from trainer.scorecards.agentkpis import register_window

    for blueprint in (views.bp, okr_views.bp, admin_views.bp, api.bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(cli.kpi_group)
    add_nav(app, "scorecards.my_scorecard", _l("My scorecard"), {AGENT}, order=40)
    add_nav(app, "okrs.my_okrs", _l("OKRs"), {AGENT}, order=41)

    add_nav(
        app,
        "scorecards.team_scorecard",
        _l("Team scorecard"),
        {MANAGER, ADMIN},
        order=40,
        group=PERFORMANCE,
    )
    add_nav(app, "okrs.review", _l("OKR approvals"), {MANAGER}, order=41, group=PERFORMANCE)
    add_nav(
        app,
        "scorecards.incentive_ranking",
        _l("Incentives"),
        {MANAGER, ADMIN},
        order=42,
        group=PERFORMANCE,
    )
    add_nav(app, "kpi_admin.upload", _l("KPI data"), {ADMIN}, order=85, group=PERFORMANCE)
    add_action_source(app, {MANAGER}, home.manager_actions, order=20)
    add_home_widget(app, "scorecards/_home_agent.html", {AGENT}, context=home.agent_panel, order=30)
    add_home_widget(
        app, "scorecards/_home_manager.html", {MANAGER}, context=home.manager_panel, order=30
    )
    add_demo_seeder(app, DemoSeeder("scorecards", demo.seed_demo, order=40))
    register_window(app, home.month_window)  # the home panel's month, read with other windows
    app.jinja_env.globals.update(home.template_helpers())
