"""Double taps: a lesson row inserted by a parallel request between our read and our insert."""

from sqlalchemy import insert

from trainer.courses import progress
from trainer.courses.models import LessonProgress
from trainer.extensions import db


def _insert_behind_our_back(monkeypatch, values: dict) -> list:
    """The first lookup finds nothing, as if a parallel request inserted the row just after."""
    real_scalar = db.session.scalar
    raced = []

    def scalar(query, *args, **kwargs):
        if not raced and LessonProgress.__table__ in query.get_final_froms():
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(insert(LessonProgress).values(**values))
            return None
        return real_scalar(query, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar)
    return raced


def test_double_tap_on_a_knowledge_check_keeps_one_row(app, make_course, make_user, monkeypatch):
    course = make_course(lessons=1)
    lesson = course.lessons[0]
    user = make_user("agent")
    db.session.commit()
    raced = _insert_behind_our_back(
        monkeypatch, {"user_id": user.id, "lesson_id": lesson.id, "check_answers": {}}
    )
    result = progress.answer_check(user, lesson, 0, 0)
    db.session.commit()
    assert raced and result.index == 0
    rows = db.session.scalars(db.select(LessonProgress).filter_by(user_id=user.id)).all()
    assert len(rows) == 1 and rows[0].check_answers == {"0": 0}


def test_double_tap_on_mark_complete_keeps_one_row(app, make_course, make_user, monkeypatch):
    course = make_course(lessons=2)
    lesson = course.lessons[0]
    user = make_user("agent")
    db.session.commit()
    _insert_behind_our_back(
        monkeypatch, {"user_id": user.id, "lesson_id": lesson.id, "check_answers": {}}
    )
    progress.complete_lesson(user, lesson)
    db.session.commit()
    row = db.session.scalar(db.select(LessonProgress).filter_by(user_id=user.id))
    assert row.completed_version == lesson.version
