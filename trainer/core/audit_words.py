"""The audit log in words: one renderer per action kind, in the UI language.

"培训师 李四 将 张三 的角色扮演评分从 62 改为 75：理由 …". A renderer takes an `Entry` (the
event with its actor and subject already named) and returns a sentence; an action without a
renderer gets a sentence built from its label and its before → after changes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer.core.auth import role_label
from trainer.core.i18n import _, _l

# Every action the features record, with its label for the filter; "override" groups the kinds
# where a person overruled the system (role-play grades, certification levels).
ACTION_LABELS = {
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API token revoked"),
    "certification.grant": _l("Level granted"),
    "certification.override_grant": _l("Level granted as an override"),
    "certification.lapse": _l("Level lapsed"),
    "certification.notice": _l("Lapse notice"),
    "certification.notice_cleared": _l("Lapse notice cleared"),
    "ai_budget.limit": _l("AI budget limit changed"),
    "certification.propose": _l("Level proposed"),
    "certification.reject": _l("Promotion rejected"),
    "certification.revoke": _l("Level revoked"),
    "course.assign": _l("Course assigned"),
    "course.unassign": _l("Course assignment removed"),
    "endorsement.create": _l("Endorsement given"),
    "endorsement.withdraw": _l("Endorsement withdrawn"),
    "kpi.import": _l("KPI figures imported"),
    "okr.submit": _l("OKRs submitted"),
    "quiz_attempt.finish": _l("Quiz attempt finished"),
    "quiz_attempt.start": _l("Quiz attempt started"),
    "roleplay.grade": _l("Role-play graded"),
    "roleplay.override": _l("Role-play score overridden"),
    "roleplay.review": _l("Role-play reviewed"),
    "scenario.assign": _l("Scenario assigned"),
    "skills.map_saved": _l("Skills map saved"),
    "skills.setting": _l("Skill next-step setting changed"),
    "team.create": _l("Team created"),
    "team.update": _l("Team changed"),
    "user.change_password": _l("Own password changed"),
    "user.create": _l("Account created"),
    "user.reset_password": _l("Password reset"),
    "user.update": _l("Account changed"),
}
GROUPS = {"override": ("roleplay.override", "certification.override_grant")}
GROUP_LABELS = {"override": _l("Overrides (grades and levels)")}


@dataclass(frozen=True)
class Entry:
    """An audit event with its people named, ready to be put in words."""

    action: str
    actor: Any  # User or None (the system)
    subject_user: Any  # User or None
    subject_type: str
    subject_id: str
    data: dict

    @property
    def who(self) -> str:
        if self.actor is None:
            return _("The system")
        return f"{role_label(self.actor.role)} {self.actor.name}"

    @property
    def whom(self) -> str:
        return self.subject_user.name if self.subject_user is not None else self.thing

    @property
    def thing(self) -> str:
        return f"{self.subject_type} #{self.subject_id}"

    @property
    def before(self) -> dict:
        return self.data.get("before") or {}

    @property
    def after(self) -> dict:
        return self.data.get("after") or {}

    @property
    def reason(self) -> str:
        return str(self.data.get("reason") or self.data.get("comment") or "").strip()


def action_label(action: str) -> str:
    """The action kind's name in the UI language (the key itself when unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _with_reason(text: str, e: Entry) -> str:
    return _("%(text)s: reason: %(reason)s", text=text, reason=e.reason) if e.reason else text


def changes(e: Entry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field whose value changed."""
    keys = list(dict.fromkeys([*e.before, *e.after]))
    return [(k, e.before.get(k), e.after.get(k)) for k in keys if e.before.get(k) != e.after.get(k)]


def _roleplay_override(e: Entry) -> str:
    text = _(
        "%(actor)s changed %(subject)s's role-play score from %(before)s to %(after)s",
        actor=e.who,
        subject=e.whom,
        before=_fmt(e.before.get("score")),
        after=_fmt(e.after.get("score")),
    )
    return _with_reason(text, e)


def _roleplay_review(e: Entry) -> str:
    return _(
        "%(actor)s reviewed %(subject)s's role-play: total %(before)s → %(after)s",
        actor=e.who,
        subject=e.whom,
        before=_fmt(e.before.get("total")),
        after=_fmt(e.after.get("total")),
    )


def _level(words: Callable[..., str]) -> Callable[[Entry], str]:
    """A renderer from `words(actor=, subject=, level=)`, with the reason appended."""

    def render(e: Entry) -> str:
        level = e.after.get("level") or e.data.get("level") or ""
        return _with_reason(words(actor=e.who, subject=e.whom, level=level), e)

    return render


def _override_grant(e: Entry) -> str:
    missing = [str(m.get("key")) for m in e.data.get("missing") or [] if isinstance(m, dict)]
    text = _(
        "%(actor)s granted %(subject)s level %(level)s as an override",
        actor=e.who,
        subject=e.whom,
        level=e.after.get("level", ""),
    )
    if missing:
        text = _("%(text)s (not met: %(missing)s)", text=text, missing=", ".join(missing))
    return _with_reason(text, e)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _generic(e: Entry) -> str:
    """Fallback: who did what to which record, with the changed fields."""
    text = _(
        "%(actor)s: %(action)s — %(subject)s",
        actor=e.who,
        action=action_label(e.action),
        subject=e.whom,
    )
    changed = changes(e)
    if changed:
        parts = ", ".join(f"{k}: {_fmt(b)} → {_fmt(a)}" for k, b, a in changed)
        text = f"{text} ({parts})"
    return _with_reason(text, e)


RENDERERS: dict[str, Callable[[Entry], str]] = {
    "roleplay.override": _roleplay_override,
    "roleplay.review": _roleplay_review,
    "certification.grant": _level(
        lambda **w: _("%(actor)s granted %(subject)s level %(level)s", **w)
    ),
    "certification.override_grant": _override_grant,
    "certification.propose": _level(
        lambda **w: _("%(actor)s proposed level %(level)s for %(subject)s", **w)
    ),
    "certification.reject": _level(
        lambda **w: _("%(actor)s rejected %(subject)s's promotion", **w)
    ),
    "certification.revoke": _level(lambda **w: _("%(actor)s revoked a level of %(subject)s", **w)),
    "certification.lapse": _level(lambda **w: _("%(subject)s's level lapsed", **w)),
    "certification.notice": _level(lambda **w: _("%(subject)s was given a lapse notice", **w)),
    "endorsement.create": _level(
        lambda **w: _("%(actor)s endorsed %(subject)s for level %(level)s", **w)
    ),
    "user.create": _level(lambda **w: _("%(actor)s created the account of %(subject)s", **w)),
    "user.reset_password": _level(
        lambda **w: _("%(actor)s reset the password of %(subject)s", **w)
    ),
    "user.change_password": _level(lambda **w: _("%(subject)s changed their own password", **w)),
}


def describe(entry: Entry) -> str:
    """The entry as one sentence in the UI language."""
    return RENDERERS.get(entry.action, _generic)(entry)
