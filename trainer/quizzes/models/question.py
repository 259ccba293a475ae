"""The question bank: a question keeps its identity; each edit adds an immutable version."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db
from trainer.quizzes.spec import QuestionSpec, spec_from_content


class Question(db.Model):
    """A question with a stable id; what it says lives in its versions."""

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Moodle's "ID number": stable key for re-imports and shipped banks (`course/title`).
    idnumber: Mapped[str | None] = mapped_column(String(255), unique=True)
    category: Mapped[str] = mapped_column(String(255), index=True)
    difficulty: Mapped[str | None] = mapped_column(String(10), index=True)
    source: Mapped[str] = mapped_column(
        String(100), default="editor"
    )  # editor | import | content:<course>
    # Content hash of the version last loaded from a shipped file: a sync adds a version only
    # when the file changed, so a trainer's edit is not undone by an unchanged file.
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question_versions.id", use_alter=True, ondelete="SET NULL")
    )
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    current_version: Mapped["QuestionVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
    )
    tag_rows: Mapped[list["QuestionTag"]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.idnumber or ''}>"


class QuestionVersion(db.Model):
    """What a question said at one point; never changed once written (attempts point here)."""

    __tablename__ = "quiz_question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    qtype: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255))
    stem: Mapped[str] = mapped_column(Text)  # kept apart from `data` for search
    data: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])

    def spec(self) -> QuestionSpec:
        """The version's content as a spec (category and tags come from the question)."""
        return spec_from_content(self.data)

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id}.{self.number} {self.qtype}>"


@event.listens_for(QuestionVersion, "before_update")
def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError("question versions are immutable; add a new version instead")


class QuestionTag(db.Model):
    """A free tag on a question, used by draw rules and search."""

    __tablename__ = "quiz_question_tags"
    __table_args__ = (Index("ix_quiz_question_tags_tag", "tag"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)

    def __repr__(self) -> str:
        return f"<QuestionTag {self.question_id} {self.tag}>"
