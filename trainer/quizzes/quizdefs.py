"""Creating and editing quizzes (from the editor or a shipped quiz.yaml)."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes.draw import DrawError, check_rules, parse_rules
from trainer.quizzes.models import Quiz
from trainer.quizzes.models.quiz import GRADING_METHODS, REVIEW_POLICIES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Quiz settings that hold one value under the same name on Quiz, in a quiz.yaml entry and in the
# quiz form. The slug identifies the quiz, and titles, draw rules and dates are shaped differently
# in each place, so those are handled one by one.
PLAIN_SETTINGS = (
    "shuffle_questions",
    "shuffle_options",
    "time_limit_minutes",
    "attempts_allowed",
    "wait_minutes",
    "pass_mark",
    "grading_method",
    "validity_days",
    "review_policy",
    "published",
)


class QuizError(ValueError):
    """A user-facing reason a quiz definition was refused."""


@dataclass
class QuizSettings:
    """Everything that defines a quiz."""

    slug: str
    title: dict
    draw_rules: list
    description: dict = field(default_factory=dict)
    course_slug: str | None = None
    shuffle_questions: bool = True
    shuffle_options: bool = True
    time_limit_minutes: int | None = None
    attempts_allowed: int = 0
    wait_minutes: int = 0
    pass_mark: float = 80.0
    grading_method: str = "highest"
    validity_days: int | None = None
    review_policy: str = "after_submit"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    published: bool = True

    def problems(self) -> list[str]:
        """Reasons these settings are not acceptable (the bank is not consulted)."""
        problems = []
        if not SLUG.match(self.slug or "") or len(self.slug) > 80:
            problems.append(_("The slug may use lowercase letters, digits and hyphens."))
        if not (self.title.get("zh_CN") or "").strip() and not (self.title.get("en") or "").strip():
            problems.append(_("The quiz needs a title."))
        if self.time_limit_minutes is not None and not 1 <= self.time_limit_minutes <= 600:
            problems.append(_("The time limit must be between 1 and 600 minutes."))
        if not 0 <= self.attempts_allowed <= 100:
            problems.append(_("Attempts allowed must be between 0 (unlimited) and 100."))
        if not 0 <= self.wait_minutes <= 60 * 24 * 30:
            problems.append(_("The wait between attempts is too long."))
        if not 0 <= self.pass_mark <= 100:
            problems.append(_("The pass mark must be between 0 and 100."))
        if self.grading_method not in GRADING_METHODS:
            problems.append(_("Unknown grading method."))
        if self.review_policy not in REVIEW_POLICIES:
            problems.append(_("Unknown review policy."))
        if self.validity_days is not None and not 1 <= self.validity_days <= 3650:
            problems.append(_("Validity must be between 1 and 3650 days."))
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            problems.append(_("The quiz must open before it closes."))
        try:
            parse_rules(self.draw_rules)
        except DrawError as error:
            problems.append(str(error))
        return problems


def get_quiz_by_slug(slug: str) -> Quiz | None:
    """The quiz with this slug, if any."""
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug))


def save_quiz(
    settings: QuizSettings, *, quiz: Quiz | None = None, actor=None, source: str = "editor"
) -> Quiz:
    """Create or update a quiz after checking its settings and that the bank can fill it."""
    problems = settings.problems()
    if not problems:
        problems = check_rules(parse_rules(settings.draw_rules))
    other = get_quiz_by_slug(settings.slug)
    if other is not None and (quiz is None or other.id != quiz.id):
        problems.append(_("Another quiz already uses the slug %(slug)s.", slug=settings.slug))
    if problems:
        raise QuizError(" ".join(problems))
    created = quiz is None
    if created:
        quiz = Quiz(source=source)
        db.session.add(quiz)
    before = None if created else snapshot(quiz)
    for name, value in vars(settings).items():
        setattr(quiz, name, value)
    quiz.updated_at = utcnow()
    db.session.flush()
    after = snapshot(quiz)
    if before != after:
        action = "quiz.create" if created else "quiz.update"
        audit.record(actor, action, quiz, before=before, after=after)
    return quiz


def snapshot(quiz: Quiz) -> dict:
    """The quiz's settings as plain JSON values (for the audit log and change detection)."""
    data = {}
    for name in QuizSettings.__dataclass_fields__:
        value = getattr(quiz, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def settings_of(quiz: Quiz) -> QuizSettings:
    """A quiz's current settings."""
    return QuizSettings(**{name: getattr(quiz, name) for name in QuizSettings.__dataclass_fields__})
