"""`flask skills …`: recompute snapshots; print an agent's skill profile as JSON."""

import json

import click

from trainer.accounts.models import User
from trainer.extensions import db
from trainer.skills import snapshots, store
from trainer.skills.evidence import collect
from trainer.skills.profile import profile


@click.group("skills")
def skills_group() -> None:
    """Skill profiles and next steps."""


@skills_group.command("refresh")
def refresh() -> None:
    """Recompute every active agent's skill snapshot (after a content sync or restore)."""
    ids = list(db.session.scalars(db.select(User.id).where(User.role == "agent", User.active)))
    snapshots.refresh(store.active_map(), ids)
    db.session.commit()
    click.echo(f"skills: {len(ids)} agent(s) refreshed")


@skills_group.command("profile")
@click.option("--email", required=True)
def show_profile(email: str) -> None:
    """Print one agent's skills (score, level, evidence count) as JSON."""
    agent = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if agent is None:
        raise click.ClickException(f"no user {email}")
    skill_map = store.active_map()
    levels = profile(skill_map, collect(skill_map, [agent.id])[agent.id].items)
    click.echo(
        json.dumps(
            {
                k: {"score": v.score, "level": v.level, "evidence": len(v.evidence)}
                for k, v in levels.items()
            },
            ensure_ascii=False,
            indent=2,
        )
    )
