"""A quiz: which questions it draws and the rules of taking it."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

HIGHEST, LATEST, FIRST, AVERAGE = "highest", "latest", "first", "average"
GRADING_METHODS = (HIGHEST, LATEST, FIRST, AVERAGE)
AFTER_SUBMIT, AFTER_CLOSE, NEVER = "after_submit", "after_close", "never"
REVIEW_POLICIES = (AFTER_SUBMIT, AFTER_CLOSE, NEVER)


class Quiz(db.Model):
    """A compliance quiz; `draw_rules` is a list of rules (see `trainer.quizzes.draw`)."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[dict] = mapped_column(JSON)  # {"zh_CN": ..., "en": ...}
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    course_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    draw_rules: Mapped[list] = mapped_column(JSON, default=list)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    time_limit_minutes: Mapped[int | None] = mapped_column()
    attempts_allowed: Mapped[int] = mapped_column(default=0)  # 0: unlimited
    wait_minutes: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[float] = mapped_column(default=80.0)  # percent
    grading_method: Mapped[str] = mapped_column(String(10), default=HIGHEST)
    validity_days: Mapped[int | None] = mapped_column()  # None: a pass never expires
    review_policy: Mapped[str] = mapped_column(String(20), default=AFTER_SUBMIT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(20), default="editor")  # editor | content
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Quiz {self.id} {self.slug}>"
