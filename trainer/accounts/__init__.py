"""Accounts: users, teams, roles, sign-in and the admin pages."""

from flask import Flask

from trainer.core.i18n import _l


def init_app(app: Flask) -> None:
    """Register the blueprints, CLI, navigation and the session user loader."""
    from trainer.accounts import audit_views, cli, recovery_views, services, totp_views, views
    from trainer.accounts.sessions import load_session_user, read_with_session
    from trainer.core import configdocs

    del audit_views  # imported for its routes on the accounts blueprint
    from trainer.core.features import PEOPLE, SYSTEM, add_home_widget, add_nav
    from trainer.extensions import login_manager

    app.register_blueprint(views.bp)
    app.register_blueprint(recovery_views.bp)
    app.register_blueprint(totp_views.bp)
    app.before_request(totp_views.enforce)
    app.cli.add_command(cli.users_group)
    app.cli.add_command(cli.seed_demo)
    login_manager.user_loader(load_session_user)
    # Pages check the configuration overrides' revision with the session (core.configdocs).
    read_with_session(app, configdocs.REVISION, configdocs.revision_column, per_user=False)
    add_nav(app, "accounts.users", _l("Users"), {"admin"}, order=90, group=PEOPLE)
    add_nav(app, "accounts.teams", _l("Teams"), {"admin"}, order=91, group=PEOPLE)
    add_nav(
        app, "accounts.audit_log", _l("Audit log"), {"admin", "manager"}, order=92, group=SYSTEM
    )
    add_home_widget(
        app, "accounts/_home_admin.html", {"admin"}, lambda user: services.account_overview()
    )
