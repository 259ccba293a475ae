"""The audit log in words: one renderer per action kind, in the UI language.

"培训师 李四 将 张三 的角色扮演评分从 62 改为 75：理由 …". A renderer takes an `Entry` (the
event with its actor and subject already named) and returns a sentence; an action without a
renderer gets a sentence built from its label and its before → after changes.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer.core.auth import role_label
from trainer.core.i18n import _, _l, pick

# Every action the features record, with its label for the filter; "override" groups the kinds
# where a person overruled the system (role-play grades, certification levels).
ACTION_LABELS = {
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API token revoked"),
    "appeal.decide": _l("Appeal decided"),
    "appeal.file": _l("Appeal filed"),
    "course.create": _l("Course created"),
    "course.image": _l("Course image uploaded"),
    "course.image_delete": _l("Course image removed"),
    "course.import": _l("Course imported"),
    "course.publish": _l("Course published"),
    "course.reorder": _l("Lessons reordered"),
    "course.unpublish": _l("Course unpublished"),
    "course.update": _l("Course changed"),
    "lesson.create": _l("Lesson created"),
    "lesson.restore": _l("Lesson restored"),
    "lesson.retire": _l("Lesson retired"),
    "lesson.update": _l("Lesson changed"),
    "okr.approve": _l("OKRs approved"),
    "okr.return": _l("OKRs returned"),
    "policy.version": _l("Compliance policy version saved"),
    "question.create": _l("Question created"),
    "question.new_version": _l("Question changed"),
    "question.restore": _l("Question restored"),
    "question.retire": _l("Question retired"),
    "quiz.create": _l("Quiz created"),
    "quiz.mark_change": _l("Quiz mark changed"),
    "quiz.update": _l("Quiz changed"),
    "scenario.clone": _l("Scenario cloned"),
    "scenario.publish": _l("Scenario published"),
    "scenario.unassign": _l("Scenario assignment removed"),
    "scenario.unpublish": _l("Scenario unpublished"),
    "scenario.version": _l("Scenario version saved"),
    "user.password_reset": _l("Password reset by link"),
    "user.reset_link": _l("Password reset link sent"),
    "user.totp_disabled": _l("Two-step sign-in turned off"),
    "user.totp_enabled": _l("Two-step sign-in turned on"),
    "user.totp_recovery_code": _l("Recovery code used"),
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
# What an entry is about: the table of the record, as a thing people name.
SUBJECT_LABELS = {
    "ai_budget_limits": _l("AI budget limit"),
    "api_tokens": _l("API token"),
    "appeals": _l("Appeal"),
    "certifications": _l("Certification"),
    "config_documents": _l("Settings document"),
    "course_images": _l("Course image"),
    "courses": _l("Course"),
    "endorsements": _l("Endorsement"),
    "enrollments": _l("Course assignment"),
    "kpi_records": _l("KPI figures"),
    "lessons": _l("Lesson"),
    "okr_sets": _l("OKR set"),
    "quiz_attempt_answers": _l("Quiz answer"),
    "quiz_attempts": _l("Quiz attempt"),
    "quiz_questions": _l("Question"),
    "quizzes": _l("Quiz"),
    "roleplay_assignments": _l("Scenario assignment"),
    "roleplay_grades": _l("Role-play grade"),
    "roleplay_policy_versions": _l("Compliance policy version"),
    "roleplay_scenarios": _l("Scenario"),
    "roleplay_sessions": _l("Role-play session"),
    "skill_map_versions": _l("Skills map version"),
    "skill_settings": _l("Skill setting"),
    "teams": _l("Team"),
    "users": _l("Account"),
}
# The fields the features record before → after, as words; a field not named here is shown as
# its key, marked as code.
FIELD_LABELS = {
    "active": _l("Active"),
    "attempts_allowed": _l("Attempts allowed"),
    "category": _l("Category"),
    "course_slug": _l("Linked course"),
    "description": _l("Description"),
    "difficulty": _l("Difficulty"),
    "draw_rules": _l("Draw rules"),
    "email": _l("Email"),
    "grading_method": _l("Grading method"),
    "level": _l("Level"),
    "manager_id": _l("Manager"),
    "name": _l("Name"),
    "pass_mark": _l("Pass mark"),
    "published": _l("Published"),
    "role": _l("Role"),
    "score": _l("Score"),
    "shuffle_options": _l("Shuffle options"),
    "shuffle_questions": _l("Shuffle questions"),
    "slug": _l("Slug"),
    "status": _l("Status"),
    "team_id": _l("Team"),
    "time_limit_minutes": _l("Time limit"),
    "title": _l("Title"),
    "wait_minutes": _l("Wait between attempts (minutes)"),
}
# Kinds of level requirement (certification checks), for "not met: …" in override entries.
REQUIREMENT_LABELS = {
    "course": _l("required courses"),
    "quiz": _l("required quizzes"),
    "roleplay_sessions": _l("role-play sessions"),
    "roleplay_critical": _l("no recent critical role-play failure"),
    "kpi_conversations": _l("KPI conversation count"),
    "kpi": _l("KPI targets"),
    "drill": _l("peak drill"),
    "okr": _l("OKR score"),
    "endorsement": _l("A trainer's endorsement"),
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
        return subject_label(self.subject_type, self.subject_id)

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


def subject_type_label(subject_type: str) -> str:
    """The kind of record an entry is about, in the UI language (the table name when unknown)."""
    label = SUBJECT_LABELS.get(subject_type)
    return str(label) if label is not None else subject_type


def subject_label(subject_type: str, subject_id: Any) -> str:
    """ "Quiz #3": the record an entry is about."""
    return f"{subject_type_label(subject_type)} #{subject_id}"


def field_label(key: str) -> str | None:
    """A recorded field's name in the UI language, or None when it has none (show the key)."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else None


def value_text(value: Any) -> tuple[str, bool]:
    """A recorded value for people: (text, is_code). Texts in both languages are picked, yes/no
    are words; keys, lists and records stay as they were stored and are marked as code."""
    if value is None:
        return "—", False
    if isinstance(value, bool):
        return (_("yes") if value else _("no")), False
    if isinstance(value, int | float):
        return _fmt(value), False
    if isinstance(value, dict) and value and set(value) <= {"zh_CN", "en"}:
        return pick(value), False
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True), True
    text = str(value)
    return text, not any(ord(ch) > 127 for ch in text) and any(ch.isalpha() for ch in text)


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


def _requirements(missing: list) -> str:
    """The unmet requirements by kind: "required courses (4), OKR score"."""
    kinds: dict[str, int] = {}
    for item in missing:
        if isinstance(item, dict):
            kind = str(item.get("kind") or "")
            kinds[kind] = kinds.get(kind, 0) + 1
    parts = []
    for kind, count in kinds.items():
        name = str(REQUIREMENT_LABELS.get(kind, kind))
        parts.append(_("%(what)s (%(n)d)", what=name, n=count) if count > 1 else name)
    return ", ".join(parts)


def _override_grant(e: Entry) -> str:
    missing = _requirements(e.data.get("missing") or [])
    text = _(
        "%(actor)s granted %(subject)s level %(level)s as an override",
        actor=e.who,
        subject=e.whom,
        level=e.after.get("level", ""),
    )
    if missing:
        text = _("%(text)s (not met: %(missing)s)", text=text, missing=missing)
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
