"""Item analysis (Moodle's facility and discrimination), results table, CSV, query bounds."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.quizzes.conftest import QTYPES, right_fields
from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.analytics import (
    _correlation,
    _distribution,
    finished_attempts,
    item_analysis,
    results_csv,
    results_table,
)
from trainer.quizzes.models import AttemptAnswer


def finish(quiz, user, right_slots):
    """An attempt answering the given slots right and the rest not at all."""
    attempt = service.start_attempt(quiz, user)
    fields = {a.slot: right_fields(a) for a in attempt.answers if a.slot in right_slots}
    if fields:
        service.save_fields(attempt, fields)
    service.submit_attempt(attempt)
    db.session.commit()
    return attempt


def test_correlation_matches_pearson():
    assert _correlation([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2]) == pytest.approx(99.0, abs=0.1)
    assert _correlation([1, 1, 1], [0.2, 0.5, 0.9]) is None
    assert _correlation([1], [1]) is None


def test_facility_discrimination_distribution_and_flags(make_quiz, make_question, make_user):
    ids = [make_question(t).id for t in ("single", "multi", "truefalse")]
    quiz = make_quiz(
        count=3,
        bank_size=0,
        shuffle_questions=False,
        draw_rules=[{"type": "fixed", "questions": ids}],
    )
    # Slot 0 answered right by strong agents only; slot 1 by everyone; slot 2 by nobody.
    for i in range(12):
        strong = i < 6
        finish(quiz, make_user("agent"), {0, 1} if strong else {1})
    items = {item.version.qtype: item for item in item_analysis(finished_attempts(quiz))}
    single, multi, tf = items["single"], items["multi"], items["truefalse"]
    assert single.responses == 12 and single.facility == 50.0
    assert multi.facility == 100.0 and "too_easy" in multi.flags
    assert tf.facility == 0.0 and "too_hard" in tf.flags
    assert single.discrimination is None or single.discrimination > 0
    shares = {s.label: s.count for s in single.options}
    assert shares["正确选项"] == 6 and single.options[-1].count == 6  # the last row: no answer


def test_item_analysis_matches_a_plain_recomputation(make_quiz, make_question, make_user):
    """The row-based analysis gives what the definitions give on ORM answers, every type."""
    ids = [make_question(t).id for t in QTYPES]
    quiz = make_quiz(
        count=len(ids),
        bank_size=0,
        shuffle_questions=False,
        draw_rules=[{"type": "fixed", "questions": ids}],
    )
    for i in range(11):  # a different mix of right and blank slots per agent
        finish(quiz, make_user("agent"), {s for s in range(len(ids)) if (i + s) % (s + 2)})
    attempts = finished_attempts(quiz)
    answers = db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))
    ).all()
    items = item_analysis(attempts)
    assert {item.version.id for item in items} == {a.version_id for a in answers}
    for item in items:
        mine = [a for a in answers if a.version_id == item.version.id]
        marks = [a.fraction or 0.0 for a in mine]
        rest = []
        for a in mine:
            others = [o.fraction or 0.0 for o in answers if o.attempt_id == a.attempt_id]
            others.remove(a.fraction or 0.0)
            rest.append(sum(others) / len(others))
        assert item.responses == len(mine) == 11
        assert item.facility == round(100 * sum(marks) / len(marks), 1)
        assert item.discrimination == _correlation(marks, rest)
        assert item.options == _distribution(item.version, [a.response for a in mine])
    assert any(item.discrimination not in (None, 0) for item in items)


def test_no_flags_before_enough_responses(make_quiz, make_user):
    quiz = make_quiz(count=1, bank_size=1)
    finish(quiz, make_user("agent"), set())
    (item,) = item_analysis(finished_attempts(quiz))
    assert item.facility == 0 and item.flags == []


def test_results_table_and_csv(make_quiz, make_user, make_team):
    quiz = make_quiz(count=1, bank_size=1, pass_mark=50)
    team = make_team("一组")
    passer = make_user("agent", team=team, name="=HYPERLINK(1)")
    finish(quiz, passer, {0})
    finish(quiz, make_user("agent", name="李四"), set())
    rows = results_table(quiz, finished_attempts(quiz), utcnow())
    assert [r.result.passed for r in rows] == [True, False]
    csv_text = results_csv(rows)
    assert csv_text.startswith("\ufeffname,email,team")
    assert "'=HYPERLINK(1)" in csv_text and "一组" in csv_text


def test_analytics_pages(trainer_client, make_quiz, make_user):
    quiz = make_quiz(count=2)
    finish(quiz, make_user("agent"), {0})
    assert trainer_client.get("/quizzes/analytics/").status_code == 200
    page = trainer_client.get(f"/quizzes/analytics/{quiz.id}")
    assert page.status_code == 200 and 'data-testid="results-table"' in page.get_data(as_text=True)
    csv = trainer_client.get(f"/quizzes/analytics/{quiz.id}/results.csv")
    assert csv.mimetype == "text/csv" and "name,email" in csv.get_data(as_text=True)


def test_analytics_page_query_count_is_bounded(trainer_client, make_quiz, make_user, count_queries):
    quiz = make_quiz(count=3, bank_size=6)
    for _ in range(2):
        finish(quiz, make_user("agent"), {0})
    with count_queries() as small:
        trainer_client.get(f"/quizzes/analytics/{quiz.id}")
    for _ in range(10):
        finish(quiz, make_user("agent"), {1, 2})
    with count_queries() as large:
        assert trainer_client.get(f"/quizzes/analytics/{quiz.id}").status_code == 200
    assert large.count == small.count


def test_attempt_page_query_count_is_bounded(login_as, make_quiz, count_queries):
    client, user = login_as("agent")
    small_quiz, large_quiz = make_quiz(count=2, bank_size=2), make_quiz(count=20, bank_size=24)
    small = service.start_attempt(small_quiz, user)
    large = service.start_attempt(large_quiz, user)
    db.session.commit()
    with count_queries() as few:
        client.get(f"/quizzes/attempts/{small.id}")
    with count_queries() as many:
        assert client.get(f"/quizzes/attempts/{large.id}").status_code == 200
    assert many.count == few.count
    with count_queries() as save:
        client.post(f"/quizzes/attempts/{large.id}/answers", json={"slot": 3, "fields": {}})
    assert save.count <= 8


def test_agent_pages_query_count_is_bounded(login_as, make_quiz, count_queries):
    client, user = login_as("agent")
    make_quiz(count=1)
    client.get("/")  # warm-up: the process's first read of the configuration is not measured
    with count_queries() as few:
        client.get("/quizzes/")
        client.get("/")
    for _ in range(5):
        quiz = make_quiz(count=1)
        service.submit_attempt(service.start_attempt(quiz, user))
        db.session.commit()
    with count_queries() as many:
        client.get("/quizzes/")
        client.get("/")
    assert many.count == few.count


def test_attempt_history_and_review_pages(login_as, make_quiz):
    client, user = login_as("agent")
    quiz = make_quiz(count=2)
    attempt = finish(quiz, user, {0})
    history = client.get("/quizzes/history").get_data(as_text=True)
    assert f"/quizzes/attempts/{attempt.id}/review" in history
    assert client.get(f"/quizzes/{quiz.slug}").status_code == 200
    assert quiz.slug in client.get("/quizzes/").get_data(as_text=True)
    assert utcnow() - attempt.submitted_at < timedelta(minutes=1)
