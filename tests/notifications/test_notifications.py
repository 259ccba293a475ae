"""Notifications: inbox and bell, delivery choices, mails over real SMTP and to the outbox."""

from datetime import timedelta

from tests.conftest import login
from tests.mailfixtures import body_of
from trainer.core.clock import utcnow
from trainer.courses.assignments import assign_course
from trainer.courses.models import Enrollment
from trainer.courses.reminders import course_reminders
from trainer.extensions import db
from trainer.notifications import jobs as notification_jobs
from trainer.notifications.models import DIGEST, Notification
from trainer.notifications.services import notify, set_preferences, unread_count


def _notifications(user, kind=None):
    query = db.select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def test_bell_counts_unread_and_inbox_marks_read(app, make_user, outbox):
    agent = make_user("agent")
    client = app.test_client()
    login(client, agent)
    first = notify(
        agent, "level_granted", link="/certification/", level={"zh_CN": "二级", "en": "L2"}
    )
    notify(agent, "level_lapsed", level="L1")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in page
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert "二级" in inbox  # the agent reads Chinese (default)
    response = client.post(f"/notifications/{first.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/certification/")
    assert unread_count(agent) == 1
    client.post("/notifications/read-all")
    assert unread_count(agent) == 0
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_bell_count_is_read_with_the_session_on_a_get(app, make_user, outbox, count_queries):
    """On a GET the unread count comes with the session's statement (no query of its own);
    elsewhere (a POST, a job) it is read afresh, so a POST that reads notifications sees it."""
    agent = make_user("agent")
    client = app.test_client()
    login(client, agent)
    client.get("/notifications/")
    with count_queries() as plain:
        client.get("/notifications/")
    notify(agent, "level_lapsed", level="L1")
    notify(agent, "level_lapsed", level="L2")
    db.session.commit()
    with count_queries() as counted:
        page = client.get("/notifications/").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in page
    assert counted.count == plain.count
    session_loads = [s for s in counted.statements if "auth_sessions.token_hash" in s]
    assert len(session_loads) == 1 and "notifications" in session_loads[0]
    with app.test_request_context("/", method="POST"):
        app.preprocess_request()
        assert unread_count(agent) == 2


def test_someone_elses_notification_is_404(app, make_user, outbox):
    owner, other = make_user("agent"), make_user("agent")
    row = notify(owner, "level_lapsed", level="L1")
    db.session.commit()
    client = app.test_client()
    login(client, other)
    assert client.post(f"/notifications/{row.id}/read").status_code == 404
    assert client.post(f"/notifications/{row.id}/open").status_code == 404
    db.session.refresh(row)
    assert row.read_at is None


def test_posts_need_the_csrf_token(app, make_user, outbox):
    agent = make_user("agent")
    client = app.test_client()
    login(client, agent)
    notify(agent, "level_lapsed", level="L1")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/notifications/read-all").status_code == 400
    assert unread_count(agent) == 1


def test_email_goes_through_smtp_in_the_recipients_language(app, make_user, smtp):
    agent = make_user("agent")
    agent.locale = "en"
    chinese = make_user("agent")
    notify(agent, "level_granted", link="/certification/", level={"zh_CN": "二级", "en": "Level 2"})
    notify(
        chinese, "level_granted", link="/certification/", level={"zh_CN": "二级", "en": "Level 2"}
    )
    db.session.commit()  # the mail job runs after the commit (inline in tests)
    messages = smtp.wait(2)
    by_rcpt = {m["X-Envelope-To"]: m for m in messages}
    english = by_rcpt[agent.email]
    assert english["Subject"] == "You are now certified Level 2"
    assert "http://127.0.0.1:5000/certification/" in body_of(english)
    assert "二级" in by_rcpt[chinese.email]["Subject"]
    assert all(n.emailed_at for n in _notifications(agent))


def test_without_smtp_mails_land_in_the_outbox(app, make_user, outbox):
    agent = make_user("agent")
    notify(agent, "level_lapsed", level="L1")
    db.session.commit()
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    assert agent.email in files[0].read_text()


def test_in_app_only_sends_no_mail_and_digest_waits_for_the_daily_summary(app, make_user, smtp):
    agent = make_user("agent")
    set_preferences(agent, {"level_lapsed": "inapp", "level_granted": DIGEST})
    notify(agent, "level_lapsed", level="L1")
    notify(agent, "level_granted", level="L2")
    notify(agent, "level_granted", level="L3")
    db.session.commit()
    assert smtp.messages == []
    notification_jobs.send_digests()
    db.session.commit()
    messages = smtp.wait(1)
    assert len(messages) == 1
    assert "L2" in body_of(messages[0]) and "L3" in body_of(messages[0])
    notification_jobs.send_digests()  # nothing left: no second mail
    assert len(smtp.messages) == 1


def test_settings_refuse_unknown_choices(app, make_user, outbox):
    agent = make_user("agent")
    client = app.test_client()
    login(client, agent)
    response = client.post("/notifications/settings", data={"kind-level_granted": "sms"})
    assert response.status_code == 200
    assert not db.session.scalar(db.text("SELECT count(*) FROM notification_preferences"))
    choices = {f"kind-{k}": "inapp" for k in ("course_assigned", "course_due_soon")}
    response = client.post("/notifications/settings", data=choices)
    assert response.status_code == 200  # other kinds missing: refused too


def test_assigning_a_course_notifies_and_mails_the_agent(app, make_user, make_course, smtp):
    manager = make_user("manager")
    team_agent = make_user("agent")
    from trainer.accounts import services as accounts

    team = accounts.create_team("T1", manager)
    team_agent.team = team
    db.session.commit()
    course = make_course(title="Returns")
    assign_course(course, [team_agent], utcnow() + timedelta(days=10), manager)
    db.session.commit()
    rows = _notifications(team_agent, "course_assigned")
    assert len(rows) == 1
    assert rows[0].link == f"/courses/{course.slug}"
    assert "Returns" in smtp.wait(1)[0]["Subject"]
    assign_course(course, [team_agent], utcnow() + timedelta(days=12), manager)  # new due date
    db.session.commit()
    assert len(_notifications(team_agent, "course_assigned")) == 1


def test_due_soon_and_overdue_reminders_are_sent_once(app, make_user, make_course, outbox):
    agent = make_user("agent")
    soon, late = make_course(), make_course()
    now = utcnow()
    db.session.add_all(
        [
            Enrollment(
                user_id=agent.id, course_id=soon.id, assigned_at=now, due_at=now + timedelta(days=3)
            ),
            Enrollment(
                user_id=agent.id,
                course_id=late.id,
                assigned_at=now,
                due_at=now - timedelta(hours=1),
            ),
        ]
    )
    db.session.commit()
    assert course_reminders(now) == 2
    assert course_reminders(now) == 0
    db.session.commit()
    assert {n.kind for n in _notifications(agent)} == {"course_due_soon", "course_overdue"}
