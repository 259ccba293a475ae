"""Attempts: the questions drawn, in order, and every answer with the server's receipt time."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

IN_PROGRESS, FINISHED = "in_progress", "finished"


class QuizAttempt(db.Model):
    """One sitting of a quiz by one agent; the deadline is fixed when it starts."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index("ix_quiz_attempts_state_deadline", "state", "deadline_at"),
        Index("ix_quiz_attempts_user_quiz", "user_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by: Mapped[str | None] = mapped_column(String(12))  # agent | timeout | scheduler
    score: Mapped[float | None] = mapped_column()  # 0-100
    passed: Mapped[bool | None] = mapped_column()

    quiz = relationship("Quiz")
    user = relationship("User")
    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.slot", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.state == FINISHED

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} quiz={self.quiz_id} user={self.user_id} #{self.number}>"


class AttemptAnswer(db.Model):
    """One slot of an attempt: the version drawn, its option order, and the saved response."""

    __tablename__ = "quiz_attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column()
    version_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_versions.id", ondelete="RESTRICT"), index=True
    )
    layout: Mapped[dict] = mapped_column(JSON, default=dict)  # display order of options
    response: Mapped[dict | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fraction: Mapped[float | None] = mapped_column()
    # "Flagged for review" by the agent while answering: stored by the same autosave upsert.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    version = relationship("QuestionVersion")

    def __repr__(self) -> str:
        return f"<AttemptAnswer {self.attempt_id}.{self.slot}>"
