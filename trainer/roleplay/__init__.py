"""Role-play: scenarios, chats with a simulated customer, rubric grading, trainer review."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register blueprints, CLI, navigation, home panels, content loader and demo seeder."""
    from trainer.notifications.reminders import add_reminder
    from trainer.roleplay.reminders import review_backlog

    add_reminder(app, "reviews", review_backlog)
    from trainer.core.content import ContentLoader, DemoSeeder, add_content_loader, add_demo_seeder
    from trainer.core.features import (
        ASSESSMENT,
        CONTENT,
        SYSTEM,
        add_action_source,
        add_home_widget,
        add_nav,
    )
    from trainer.roleplay import cli, content, demo, home, labels, llm_cli
    from trainer.roleplay.policy import content as policy_content
    from trainer.roleplay.views import authoring, llm_admin, policy, practice, review

    app.register_blueprint(practice.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(llm_admin.bp)
    app.register_blueprint(policy.bp)
    app.cli.add_command(cli.roleplay_group)
    app.cli.add_command(llm_cli.llm_group)
    add_nav(app, "roleplay.catalogue", _l("Role-play"), {"agent"}, order=30)
    add_nav(
        app,
        "roleplay_authoring.scenarios",
        _l("Scenarios"),
        {"trainer", "admin"},
        order=31,
        group=CONTENT,
    )
    add_nav(
        app,
        "roleplay_review.queue",
        _l("Review queue"),
        {"trainer", "admin"},
        order=32,
        group=ASSESSMENT,
    )
    add_nav(
        app,
        "roleplay_review.results",
        _l("Role-play results"),
        {"manager"},
        order=32,
        group=ASSESSMENT,
    )
    add_nav(app, "roleplay_llm.status", _l("AI server"), {"admin"}, order=93, group=SYSTEM)
    add_home_widget(app, "roleplay/_home_agent.html", {"agent"}, home.agent_panel, order=30)
    add_action_source(app, {"trainer", "admin"}, home.trainer_actions, order=10)
    add_action_source(app, {"agent"}, home.agent_actions, order=30)
    add_home_widget(
        app, "roleplay/_home_trainer.html", {"trainer", "admin"}, home.trainer_panel, order=30
    )
    add_content_loader(app, ContentLoader("roleplay", content.check, content.sync, order=30))
    add_content_loader(
        app, ContentLoader("policy", policy_content.check, policy_content.sync, order=31)
    )
    add_demo_seeder(app, DemoSeeder("roleplay", demo.seed, order=30))
    app.jinja_env.filters["rp_category"] = labels.category_label
    app.jinja_env.filters["rp_difficulty"] = labels.difficulty_label
    app.jinja_env.filters["rp_end_reason"] = labels.end_reason_label
    app.jinja_env.filters["rp_judge"] = labels.judge_label
    app.jinja_env.filters["rp_mood"] = labels.mood_label
