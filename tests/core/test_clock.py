"""The organisation clock: every calendar day is a Shanghai day, whatever the UTC date says.

At 2026-11-10 16:30 UTC it is already 00:30 on 11 November in Shanghai; at 23:30 UTC it is
07:30 on 11 November. Both instants must give the Shanghai date everywhere.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from trainer.core import clock
from trainer.courses.assignments import due_at_end_of
from trainer.extensions import db
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.results import grade_cycle
from trainer.scorecards import records
from trainer.scorecards.models import KpiRecord
from trainer.scorecards.periods import period_containing

SHANGHAI_DAY = date(2026, 11, 11)
INSTANTS = [
    datetime(2026, 11, 10, 16, 30, tzinfo=UTC),  # 00:30 on 11 Nov in Shanghai
    datetime(2026, 11, 10, 23, 30, tzinfo=UTC),  # 07:30 on 11 Nov in Shanghai
]


@pytest.fixture(params=INSTANTS, ids=["16:30Z", "23:30Z"])
def at_night(request, app):
    """Freeze the clock at one of the two instants where UTC and Shanghai dates differ."""
    with time_machine.travel(request.param, tick=False):
        yield request.param


def test_today_is_the_shanghai_day(at_night):
    assert clock.utcnow().date() == date(2026, 11, 10)
    assert clock.today() == SHANGHAI_DAY
    assert clock.local(at_night).utcoffset().total_seconds() == 8 * 3600


def test_day_bounds_and_periods_are_local(at_night):
    start, end = clock.day_bounds(SHANGHAI_DAY)
    assert start == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 11, 16, 0, tzinfo=UTC)
    assert start <= at_night < end
    assert clock.period_of("month") == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_containing("week", clock.today()).start == date(2026, 11, 9)


def test_month_turns_with_shanghai_midnight(app):
    with time_machine.travel(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), tick=False):
        assert clock.period_of("month") == (date(2026, 12, 1), date(2026, 12, 31))
        assert clock.period_of("quarter", clock.utcnow()) == (date(2026, 10, 1), date(2026, 12, 31))


def test_kpi_import_takes_days_in_the_organisation_zone(at_night, make_user):
    agent = make_user("agent", email="li@example.org")
    data = (
        b"date,agent_email,conversations,csat\n"
        b"2026-11-11,li@example.org,100,4.6\n"  # today in Shanghai: not "in the future"
        b"2026-11-09T17:00:00+00:00,li@example.org,90,4.5\n"  # 01:00 on 10 Nov in Shanghai
    )
    records.import_csv(data, actor=None)
    db.session.commit()
    days = set(db.session.scalars(db.select(KpiRecord.day).where(KpiRecord.agent_id == agent.id)))
    assert days == {SHANGHAI_DAY, date(2026, 11, 10)}


def test_due_dates_and_overdue_use_the_shanghai_day(at_night):
    yesterday, today = due_at_end_of(date(2026, 11, 10)), due_at_end_of(SHANGHAI_DAY)
    assert clock.is_overdue(yesterday) and not clock.is_overdue(today)
    assert clock.date_local(today) == "2026-11-11"


def test_quiz_expiry_is_a_shanghai_date(at_night):
    quiz = Quiz(grading_method="highest", pass_mark=80, validity_days=30)
    attempt = QuizAttempt(started_at=at_night, submitted_at=at_night, score=90, number=1)
    result = grade_cycle(quiz, [attempt])
    assert clock.date_local(result.expires_at) == "2026-12-11"
    assert clock.local(result.expires_at).time().hour == 23  # valid through that whole day


def test_a_new_certificate_carries_the_shanghai_date(at_night, make_user):
    from trainer.certification import services
    from trainer.certification.certificates import certificate_texts

    agent, admin = make_user("agent"), make_user("admin")
    cert = services.grant_override(agent, "L1", admin, reason="earned before the system")
    db.session.commit()
    assert certificate_texts(cert.certificate)["dates"][0].endswith("2026-11-11")


def test_exports_carry_the_offset(at_night):
    assert clock.iso_local(at_night).startswith("2026-11-11T")
    assert clock.iso_local(at_night).endswith("+08:00")


def test_the_zone_is_configurable(app):
    app.config["TRAINER_TIMEZONE"] = "UTC"
    with time_machine.travel(INSTANTS[0], tick=False):
        assert clock.today() == date(2026, 11, 10)


def test_an_unknown_zone_is_refused_at_startup():
    from trainer import create_app
    from trainer.config import TestingConfig

    with pytest.raises(ValueError, match="Mars/Olympus"):
        create_app(TestingConfig(), TRAINER_TIMEZONE="Mars/Olympus")


def test_the_admin_home_shows_the_zone(admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    assert "Asia/Shanghai" in page and "UTC+08:00" in page


def test_stored_iso_timestamps_show_their_shanghai_day(app):
    assert clock.date_of_iso("2026-11-10T16:30:00+00:00") == "2026-11-11"
    assert clock.date_of_iso(None) == "—"
