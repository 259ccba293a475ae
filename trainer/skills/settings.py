"""Per-skill choice of trainers: next steps only suggested, or auto-assigned with a due date."""

from typing import Any

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.skills.models import MODES, SUGGEST, SkillSetting
from trainer.skills.skillmap import SkillMap

MIN_DUE_DAYS, MAX_DUE_DAYS = 1, 90


class SettingError(ValueError):
    """A refused setting; the message is for the user."""


def current_settings() -> dict[str, SkillSetting]:
    """Every stored setting by skill key (skills without one: suggest only)."""
    return {s.skill: s for s in db.session.scalars(db.select(SkillSetting))}


def save_setting(
    skill_map: SkillMap, skill: str, mode: str, due_days: int | None, actor: Any
) -> SkillSetting:
    """Store the mode (and due days for auto-assign) of one skill; audited."""
    if skill_map.get(skill) is None:
        raise SettingError(_("Unknown skill."))
    if mode not in MODES:
        raise SettingError(_("Choose suggest only or auto-assign."))
    if due_days is None or not MIN_DUE_DAYS <= due_days <= MAX_DUE_DAYS:
        raise SettingError(
            _(
                "Due in days must be between %(low)d and %(high)d.",
                low=MIN_DUE_DAYS,
                high=MAX_DUE_DAYS,
            )
        )
    row = db.session.scalar(db.select(SkillSetting).where(SkillSetting.skill == skill))
    before = {"mode": row.mode, "due_days": row.due_days} if row else {"mode": SUGGEST}
    if row is None:
        row = SkillSetting(skill=skill)
        db.session.add(row)
    row.mode, row.due_days = mode, due_days
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        actor,
        "skills.setting",
        row,
        before=before,
        after={"mode": mode, "due_days": due_days},
        skill=skill,
    )
    return row
