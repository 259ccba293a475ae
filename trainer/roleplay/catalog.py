"""Scenarios in the database: versions, publishing, cloning, YAML import and export."""

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay.models import RoleplaySession, Scenario, ScenarioVersion
from trainer.roleplay.scenarios import (
    ScenarioError,
    dump_spec,
    parse_scenario,
    spec_digest,
    spec_problem,
)

FILE, EDITOR, IMPORT, CLONE = "file", "editor", "import", "clone"


def get_scenario(slug: str) -> Scenario | None:
    """The scenario with this slug, if any."""
    return db.session.scalar(db.select(Scenario).where(Scenario.slug == slug))


def published_scenarios() -> list[Scenario]:
    """Published scenarios, easiest first, with their current version loaded."""
    query = (
        db.select(Scenario)
        .where(Scenario.published)
        .options(db.joinedload(Scenario.current_version))
        .order_by(Scenario.difficulty, Scenario.category, Scenario.slug)
    )
    return list(db.session.scalars(query))


def save_version(
    spec: dict,
    yaml_text: str | None,
    *,
    source: str,
    actor=None,
    publish: bool | None = None,
    scenario: Scenario | None = None,
) -> tuple[Scenario, ScenarioVersion | None]:
    """Store `spec` as the scenario's new current version, unless it equals the current one.

    Creates the scenario when its slug is new. Returns (scenario, new version or None).
    """
    scenario = scenario or get_scenario(spec["slug"])
    now = utcnow()
    if scenario is None:
        scenario = Scenario(slug=spec["slug"], published=bool(publish), created_at=now)
        db.session.add(scenario)
        last_number = 0
    else:
        current = scenario.current_version
        if current is not None and current.digest == spec_digest(spec):
            if publish is not None:
                scenario.published = publish
            return scenario, None
        last_number = (
            db.session.scalar(
                db.select(db.func.max(ScenarioVersion.number)).where(
                    ScenarioVersion.scenario_id == scenario.id
                )
            )
            or 0
        )
    scenario.title = spec["title"]
    scenario.category = spec["category"]
    scenario.difficulty = spec["difficulty"]
    scenario.updated_at = now
    if publish is not None:
        scenario.published = publish
    version = ScenarioVersion(
        scenario=scenario,
        number=last_number + 1,
        spec=spec,
        yaml_text=yaml_text or dump_spec(spec),
        digest=spec_digest(spec),
        source=source,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    db.session.add(version)
    db.session.flush()
    scenario.current_version = version
    db.session.flush()
    if actor is not None:
        audit.record(actor, "scenario.version", scenario, version=version.number, source=source)
    return scenario, version


def save_draft(scenario: Scenario, spec: dict, *, actor) -> ScenarioVersion:
    """Store `spec` as a draft of the scenario, to be tried without changing what agents play:
    never current, not in the version list, numbered below zero."""
    lowest = db.session.scalar(
        db.select(db.func.min(ScenarioVersion.number)).where(
            ScenarioVersion.scenario_id == scenario.id
        )
    )
    draft = ScenarioVersion(
        scenario=scenario,
        number=min(lowest or 0, 0) - 1,
        spec=spec,
        yaml_text=dump_spec(spec),
        digest=spec_digest(spec),
        source=EDITOR,
        draft=True,
        created_by_id=getattr(actor, "id", None),
        created_at=utcnow(),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def get_draft(scenario: Scenario, version_id: int | None) -> ScenarioVersion | None:
    """One of the scenario's drafts by id, if it is one."""
    if version_id is None:
        return None
    return db.session.scalar(
        db.select(ScenarioVersion).where(
            ScenarioVersion.id == version_id,
            ScenarioVersion.scenario_id == scenario.id,
            ScenarioVersion.draft.is_(True),
        )
    )


def import_yaml(text: str, *, actor, expected_slug: str | None = None) -> tuple[Scenario, bool]:
    """Validate uploaded YAML and store it as a new version (a new, unpublished scenario if the
    slug is new). Raises ScenarioError; nothing is stored then."""
    spec = parse_scenario(text, expected_slug=expected_slug)
    scenario, version = save_version(spec, text, source=IMPORT, actor=actor)
    return scenario, version is not None


def clone_scenario(scenario: Scenario, new_slug: str, *, actor) -> Scenario:
    """Copy the current version under a new slug, unpublished, for a trainer to adapt."""
    if get_scenario(new_slug) is not None:
        raise ScenarioError([spec_problem(1, "slug", _("A scenario with this slug exists."))])
    spec = dict(scenario.current_version.spec, slug=new_slug)
    title = dict(spec["title"])
    title["zh_CN"] = _("%(title)s (copy)", title=title["zh_CN"])
    title["en"] = f"{title['en']} (copy)"
    spec["title"] = title
    spec = parse_scenario(dump_spec(spec))  # re-validate: the new slug must be valid too
    copy, _version = save_version(spec, None, source=CLONE, actor=actor, publish=False)
    audit.record(actor, "scenario.clone", copy, source=scenario.slug)
    return copy


def set_published(scenario: Scenario, published: bool, *, actor) -> None:
    """Publish or withdraw a scenario; sessions already run keep their version."""
    if scenario.published == published:
        return
    scenario.published = published
    scenario.updated_at = utcnow()
    audit.record(actor, "scenario.publish" if published else "scenario.unpublish", scenario)


def session_counts(scenario_ids: list[int]) -> dict[int, int]:
    """Non-trial sessions per scenario (one query)."""
    if not scenario_ids:
        return {}
    rows = db.session.execute(
        db.select(RoleplaySession.scenario_id, db.func.count(RoleplaySession.id))
        .where(RoleplaySession.scenario_id.in_(scenario_ids), RoleplaySession.trial.is_(False))
        .group_by(RoleplaySession.scenario_id)
    )
    return dict(rows.all())


def version_of(scenario: Scenario, number: int) -> ScenarioVersion | None:
    """One version of a scenario by its number."""
    return db.session.scalar(
        db.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id,
            ScenarioVersion.number == number,
            ScenarioVersion.draft.is_(False),
        )
    )


def all_scenarios() -> list[Scenario]:
    """Every scenario, by slug (for filters)."""
    return list(db.session.scalars(db.select(Scenario).order_by(Scenario.slug)))
