"""The kinds of notification: who gets them, their texts and how they are delivered by default."""

from dataclasses import dataclass
from typing import Any

from trainer.core.i18n import _l, pick
from trainer.notifications.models import DIGEST, EMAIL, IN_APP


@dataclass(frozen=True)
class Kind:
    """A kind: a label for the settings page, title and body (`%(name)s` from the context)."""

    code: str
    label: Any
    title: Any
    body: Any
    default: str
    roles: frozenset[str]


AGENT_ONLY = frozenset({"agent"})
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "course_assigned",
            _l("Course assigned"),
            _l("New course to take: %(course)s"),
            _l("%(by)s assigned you the course %(course)s. Due: %(due)s."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "course_due_soon",
            _l("Course due in 3 days"),
            _l("%(course)s is due in 3 days"),
            _l("Finish the course %(course)s by %(due)s."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "course_overdue",
            _l("Course overdue"),
            _l("%(course)s is overdue"),
            _l("The course %(course)s was due on %(due)s. Please finish it now."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "roleplay_graded",
            _l("Role-play grade ready"),
            _l("Your role-play %(scenario)s is graded"),
            _l("Score %(total)s. Open the result to see each rubric item and its evidence."),
            IN_APP,
            AGENT_ONLY,
        ),
        Kind(
            "grade_overridden",
            _l("Grade changed by a trainer"),
            _l("A trainer reviewed your role-play %(scenario)s"),
            _l("The score is now %(total)s (was %(before)s)."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "appeal_answered",
            _l("Appeal answered"),
            _l("Your appeal on %(subject)s was answered"),
            _l("Decision: %(decision)s. %(comment)s"),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "level_granted",
            _l("Level granted"),
            _l("You are now certified %(level)s"),
            _l("Congratulations: your level %(level)s has been granted."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "level_lapsing",
            _l("Level lapsing soon"),
            _l("Your level %(level)s lapses on %(date)s"),
            _l("Requirements are no longer met. Act before %(date)s to keep the level."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "level_lapsed",
            _l("Level lapsed"),
            _l("Your level %(level)s has lapsed"),
            _l("The requirements of %(level)s were not met in time."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "quiz_expiring",
            _l("Quiz validity expiring"),
            _l("Your pass of %(quiz)s expires on %(date)s"),
            _l("Take the quiz %(quiz)s again before %(date)s to stay certified."),
            EMAIL,
            AGENT_ONLY,
        ),
        Kind(
            "promotion_waiting",
            _l("Promotion waiting"),
            _l("%(agent)s is proposed for %(level)s"),
            _l("A promotion waits for your decision."),
            EMAIL,
            frozenset({"manager", "admin"}),
        ),
        Kind(
            "reviews_waiting",
            _l("Role-play reviews waiting"),
            _l("%(count)s role-play(s) wait for review"),
            _l("%(flagged)s of them are flagged."),
            DIGEST,
            frozenset({"trainer", "admin"}),
        ),
    )
}


def kinds_for(role: str) -> list[Kind]:
    """The kinds a user of `role` can receive (for the settings page)."""
    return [k for k in KINDS.values() if role in k.roles]


def _values(context: dict[str, Any], locale: str | None) -> dict[str, str]:
    """Context values as text: {"zh_CN": …, "en": …} mappings in the reader's language."""
    return {
        key: pick(value, locale) if isinstance(value, dict) else value
        for key, value in context.items()
    }


def render(kind_code: str, context: dict[str, Any], locale: str | None = None) -> tuple[str, str]:
    """Title and body of a notification in the current (or forced) language."""
    kind = KINDS[kind_code]
    values = _values(context, locale)
    try:
        return str(kind.title) % values, str(kind.body) % values
    except (KeyError, TypeError, ValueError):
        return str(kind.label), ""
