"""`flask users create` (script user creation) and `flask seed-demo` (demo users and data)."""

import click

from trainer.accounts import services
from trainer.accounts.demo import DEMO_USERS, seed_demo_users
from trainer.core.auth import ROLES
from trainer.core.content import demo_seeders
from trainer.extensions import db


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@click.option("--team", "team_name", help="Team name; created if it does not exist.")
def create_user(email: str, name: str, role: str, password: str, team_name: str | None) -> None:
    """Create a user; exits non-zero and changes nothing if the input is refused."""
    try:
        team = None
        if team_name:
            team = services.get_team_by_name(team_name) or services.create_team(team_name)
        user = services.create_user(email=email, name=name, role=role, password=password, team=team)
        if team is not None and role == "manager" and team.manager_id is None:
            services.set_team_manager(team, user)
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo team and users (idempotent) plus each feature's demo data."""
    users = seed_demo_users()
    for seeder in demo_seeders():
        seeder.seed(users)
    db.session.commit()
    click.echo("Demo logins (email / password):")
    for spec in DEMO_USERS:
        click.echo(f"  {spec['role']:<8} {spec['email']:<28} {spec['password']}")
