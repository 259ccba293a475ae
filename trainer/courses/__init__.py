"""Courses: shipped and browser-authored lessons, assignments and learner progress."""

from flask import Flask

from trainer.core.i18n import _l, label


def init_app(app: Flask) -> None:
    """Register blueprints, navigation, home panels, the content loader and the demo seeder."""
    from trainer.courses.reminders import course_reminders
    from trainer.notifications.reminders import add_reminder

    add_reminder(app, "courses", course_reminders)
    from trainer.core.auth import ADMIN, AGENT, MANAGER, ROLES, TRAINER
    from trainer.core.content import ContentLoader, DemoSeeder, add_content_loader, add_demo_seeder
    from trainer.core.features import CONTENT, PEOPLE, add_action_source, add_home_widget, add_nav
    from trainer.courses import demo, home, lesson_views, manage_views, team_views, views
    from trainer.courses.forms import CATEGORY_LABELS
    from trainer.courses.loader import check_courses, sync_courses

    for blueprint in (views.bp, manage_views.bp, lesson_views.bp, team_views.bp):
        app.register_blueprint(blueprint)
    add_nav(app, "courses.catalogue", _l("Courses"), set(ROLES), order=10, group=CONTENT)
    add_nav(
        app,
        "course_manage.index",
        _l("Course authoring"),
        {TRAINER, ADMIN},
        order=11,
        group=CONTENT,
    )
    add_nav(
        app,
        "course_team.progress",
        _l("Team learning"),
        {TRAINER, MANAGER, ADMIN},
        order=12,
        group=PEOPLE,
    )
    add_action_source(app, {AGENT}, home.agent_actions, order=10)
    add_action_source(app, {TRAINER, MANAGER, ADMIN}, home.team_actions, order=30)
    add_home_widget(app, "courses/_home_agent.html", {AGENT}, context=home.agent_panel, order=10)
    add_home_widget(
        app, "courses/_home_team.html", {TRAINER, MANAGER, ADMIN}, context=home.team_panel, order=10
    )
    add_content_loader(app, ContentLoader("courses", check_courses, sync_courses, order=10))
    add_demo_seeder(app, DemoSeeder("courses", demo.seed_courses, order=10))
    app.jinja_env.globals["course_category_label"] = lambda key: label(CATEGORY_LABELS, key)
