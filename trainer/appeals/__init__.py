"""Appeals: agents dispute a role-play rubric item or a quiz question; trainers answer."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register the blueprint and the navigation links."""
    from trainer.appeals import views
    from trainer.core.features import add_nav

    app.register_blueprint(views.bp)
    add_nav(app, "appeals.queue", _l("Appeals"), {"trainer", "admin"}, order=45)
    add_nav(app, "appeals.mine", _l("My appeals"), {"agent"}, order=80)
