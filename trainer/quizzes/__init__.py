"""Quizzes: question bank, GIFT import/export, quizzes, timed attempts, item analysis."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register blueprints, CLI, navigation, the agent's home panel, content and demo data."""
    from trainer.notifications.reminders import add_reminder
    from trainer.quizzes.reminders import quiz_expiry_reminders

    add_reminder(app, "quizzes", quiz_expiry_reminders)
    from trainer.core.content import ContentLoader, DemoSeeder, add_content_loader, add_demo_seeder
    from trainer.core.features import ASSESSMENT, add_action_source, add_home_widget, add_nav
    from trainer.quizzes import categories, cli, content, demo, home, services
    from trainer.quizzes.views import analytics, attempts, bank, quizzes

    for module in (attempts, bank, quizzes, analytics):
        app.register_blueprint(module.bp)
    app.cli.add_command(cli.quiz_group)
    app.jinja_env.filters["bank_category"] = categories.category_name
    app.jinja_env.filters["quiz_difficulty"] = categories.difficulty_name
    add_nav(app, "quiz_attempts.index", _l("Quizzes"), {"agent"}, order=20)
    add_nav(
        app,
        "quiz_bank.index",
        _l("Question bank"),
        {"trainer", "admin"},
        order=20,
        group=ASSESSMENT,
    )
    add_nav(
        app, "quiz_admin.index", _l("Quizzes"), {"trainer", "admin"}, order=21, group=ASSESSMENT
    )
    add_nav(
        app,
        "quiz_analytics.index",
        _l("Quiz analytics"),
        {"trainer", "admin"},
        order=22,
        group=ASSESSMENT,
    )
    add_action_source(app, {"agent"}, home.agent_actions, order=20)
    add_home_widget(
        app, "quizzes/_home_panel.html", {"agent"}, context=services.home_panel, order=20
    )
    add_content_loader(
        app, ContentLoader("quizzes", content.check_quizzes, content.sync_quizzes, order=20)
    )
    add_demo_seeder(app, DemoSeeder("quizzes", demo.seed_quiz_demo, order=20))
