"""Peak-surge drills: one agent, several simulated customers at once, measured like a shift."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register the blueprint, navigation, home panel and content loader."""
    from trainer.core import events
    from trainer.core.content import ContentLoader, DemoSeeder, add_content_loader, add_demo_seeder
    from trainer.core.features import ASSESSMENT, PERFORMANCE, add_home_widget, add_nav
    from trainer.drills import content, demo, figures, home, manage_views, team_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(team_views.bp)
    app.register_blueprint(manage_views.bp)
    add_nav(app, "drills.index", _l("Peak drills"), {"agent"}, order=33)
    add_nav(
        app,
        "drills_manage.drills",
        _l("Peak drills"),
        {"trainer", "admin"},
        order=33,
        group=ASSESSMENT,
    )
    add_nav(
        app,
        "drills_team.readiness",
        _l("Peak readiness"),
        {"manager", "admin"},
        order=34,
        group=PERFORMANCE,
    )
    add_home_widget(app, "drills/_home_agent.html", {"agent"}, home.agent_panel, order=33)
    add_content_loader(app, ContentLoader("drills", content.check, content.sync, order=35))
    add_demo_seeder(app, DemoSeeder("drills", demo.seed, order=40))
    app.jinja_env.filters["dr_seconds"] = _seconds
    # A finished run's stored figures follow its grades and the policy in force.
    events.roleplay_graded.connect(figures.on_roleplay_graded)
    events.policy_saved.connect(figures.on_policy_saved)


def _seconds(value) -> str:
    """Seconds as "12.5 s" (empty as a dash)."""
    if value is None:
        return "—"
    return f"{value:g} s"
