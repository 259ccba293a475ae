"""Appeals: agents dispute a role-play rubric item or a quiz question; trainers answer."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register the blueprint and the navigation links."""
    from trainer.appeals import views
    from trainer.core.features import ASSESSMENT, add_action_source, add_nav

    app.register_blueprint(views.bp)
    add_nav(app, "appeals.queue", _l("Appeals"), {"trainer", "admin"}, order=45, group=ASSESSMENT)
    add_nav(app, "appeals.mine", _l("My appeals"), {"agent"}, order=80)
    add_action_source(app, {"trainer", "admin"}, _appeals_waiting, order=20)


def _appeals_waiting(user) -> list:
    """Open appeals, for the trainers' and admins' home page."""
    from flask import url_for

    from trainer.appeals.common import open_count
    from trainer.core.features import ActionItem
    from trainer.core.i18n import _

    count = open_count()
    label = _("Appeals to decide")
    return [ActionItem(label, count, url_for("appeals.queue"), urgent=True)]
