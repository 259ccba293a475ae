"""Assignments to agents and teams, due dates, the team progress report, CSV, and who sees what."""

import csv
import io
from datetime import date

from tests.conftest import login
from trainer.core.audit import AuditEvent
from trainer.courses.assignments import AssignmentError, assign_course, due_at_end_of
from trainer.courses.models import Enrollment
from trainer.courses.progress import complete_lesson
from trainer.extensions import db


def enrollments(course) -> dict[int, Enrollment]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(Enrollment).where(Enrollment.course_id == course.id))
    return {e.user_id: e for e in rows}


def test_trainer_assigns_a_course_to_a_whole_team(app, login_as, make_user, make_team, make_course):
    team = make_team("售后一组")
    members = [make_user("agent", team=team) for _ in range(3)]
    outsider = make_user("agent")
    make_user("trainer", team=team)  # only agents are assigned
    course = make_course("team-course")
    client, trainer = login_as("trainer")
    response = client.post(
        "/courses/team/assign",
        data={
            "course_id": course.id,
            "target": "team",
            "team_id": team.id,
            "agent_id": 0,
            "due_date": "2030-05-01",
        },
    )
    assert response.status_code == 302
    rows = enrollments(course)
    assert set(rows) == {m.id for m in members} and outsider.id not in rows
    due = rows[members[0].id].due_at
    assert due == due_at_end_of(date(2030, 5, 1))
    assert (due.year, due.month, due.day, due.hour) == (2030, 5, 1, 15)  # 23:59:59 in Shanghai
    assert all(e.assigned_by_id == trainer.id for e in rows.values())
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "course.assign"))


def test_reassigning_moves_the_due_date_and_counts_completions(app, make_user, make_course):
    trainer = make_user("trainer")
    agent, done = make_user("agent"), make_user("agent")
    course = make_course("again", lessons=1)
    complete_lesson(done, course.lessons[0])
    first = assign_course(course, [agent, done], None, trainer)
    assert (first.assigned, first.updated, first.already_completed) == (1, 0, 1)
    second = assign_course(course, [agent], due_at_end_of(date(2031, 1, 1)), trainer)
    assert (second.assigned, second.updated) == (0, 1)
    assert enrollments(course)[agent.id].due_at.year == 2031


def test_manager_assigns_only_within_their_team(app, make_user, make_team, make_course):
    manager = make_user("manager")
    team = make_team("直播组", manager)
    other_team = make_team("其他组")
    mine = make_user("agent", team=team)
    theirs = make_user("agent", team=other_team)
    course = make_course("m-course")
    db.session.refresh(manager)
    try:
        assign_course(course, [theirs], None, manager)
    except AssignmentError:
        pass
    else:
        raise AssertionError("a manager assigned outside their team")
    assert enrollments(course) == {}
    client = app.test_client()
    login(client, manager)
    page = client.get("/courses/team/assign").get_data(as_text=True)
    assert mine.email in page and theirs.email not in page
    response = client.post(
        "/courses/team/assign",
        data={"course_id": course.id, "target": "agent", "agent_id": theirs.id, "team_id": 0},
    )
    assert response.status_code == 200  # refused by the form: not one of their agents
    response = client.post(
        "/courses/team/assign",
        data={"course_id": course.id, "target": "team", "team_id": other_team.id, "agent_id": 0},
    )
    assert response.status_code == 200
    assert enrollments(course) == {}
    client.post(
        "/courses/team/assign",
        data={"course_id": course.id, "target": "agent", "agent_id": mine.id, "team_id": 0},
    )
    assert set(enrollments(course)) == {mine.id}


def test_unpublished_courses_cannot_be_assigned(app, make_user, make_course):
    trainer, agent = make_user("trainer"), make_user("agent")
    course = make_course("hidden", published=False)
    try:
        assign_course(course, [agent], None, trainer)
    except AssignmentError:
        return
    raise AssertionError("assigned a draft")


def test_progress_report_managers_see_only_their_team(
    app, make_user, make_team, make_course, assign
):
    manager = make_user("manager")
    team = make_team("A组", manager)
    mine = make_user("agent", team=team, name="本组客服")
    other = make_user("agent", team=make_team("B组"), name="别组客服")
    course = make_course("report", lessons=2)
    assign(mine, course, due_days=-1)
    assign(other, course, due_days=3)
    complete_lesson(mine, course.lessons[0])
    db.session.commit()
    client = app.test_client()
    login(client, manager)
    page = client.get("/courses/team/progress").get_data(as_text=True)
    assert "本组客服" in page and "别组客服" not in page
    assert "cell-overdue" in page and 'value="50"' in page
    # Asking for the other team gives nothing, not their data.
    page = client.get(f"/courses/team/progress?team={other.team_id}").get_data(as_text=True)
    assert "别组客服" not in page
    data = client.get("/courses/team/progress.csv").get_data(as_text=True)
    assert "别组客服" not in data and "本组客服" in data


def test_progress_filters_and_csv(app, make_user, make_course, assign, login_as):
    client, trainer = login_as("trainer")
    done, late, idle = (make_user("agent", name=n) for n in ("完成者", "逾期者", "未指派者"))
    course = make_course("csv-course", lessons=1, title="导出课程")
    assign(done, course)
    assign(late, course, due_days=-2)
    complete_lesson(done, course.lessons[0])
    db.session.commit()
    page = client.get("/courses/team/progress?status=overdue").get_data(as_text=True)
    assert "逾期者" in page and "完成者" not in page and "未指派者" not in page
    page = client.get("/courses/team/progress?status=completed").get_data(as_text=True)
    assert "完成者" in page and "逾期者" not in page
    response = client.get("/courses/team/progress.csv?status=assigned")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_agent = {r["agent"]: r for r in rows}
    assert set(by_agent) == {"完成者", "逾期者"}
    assert by_agent["完成者"]["status"] == "completed" and by_agent["完成者"]["percent"] == "100"
    assert by_agent["完成者"]["completed_at"]
    assert by_agent["逾期者"]["overdue"] == "yes"
    assert by_agent["逾期者"]["course_title"] == "导出课程"


def test_csv_neutralises_formulas(app, make_user, make_course, assign, login_as):
    client, _ = login_as("trainer")
    agent = make_user("agent", name='=HYPERLINK("http://x")')
    assign(agent, make_course("formula"))
    data = client.get("/courses/team/progress.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in data


def test_unassign_keeps_progress_and_respects_scope(app, make_user, make_team, make_course, assign):
    manager = make_user("manager")
    team = make_team("C组", manager)
    mine, other = make_user("agent", team=team), make_user("agent")
    course = make_course("unassign", lessons=2)
    own = assign(mine, course)
    foreign = assign(other, course)
    complete_lesson(mine, course.lessons[0])
    db.session.commit()
    client = app.test_client()
    login(client, manager)
    assert client.post(f"/courses/team/assignments/{foreign.id}/unassign").status_code == 404
    assert client.post(f"/courses/team/assignments/{own.id}/unassign").status_code == 302
    rows = enrollments(course)
    assert rows[mine.id].assigned_at is None and rows[mine.id].started_at is not None
    assert rows[other.id].assigned_at is not None


def test_agents_cannot_reach_team_pages(app, agent_client):
    for url in ("/courses/team/assign", "/courses/team/progress", "/courses/team/progress.csv"):
        assert agent_client.get(url).status_code == 403
    assert agent_client.post("/courses/team/assign", data={}).status_code == 403


def test_home_panels(app, make_user, make_course, assign, login_as):
    client, agent = login_as("agent")
    course = make_course("home-course", lessons=2, title="首页课程")
    assign(agent, course, due_days=-1)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-learning"' in page and "首页课程" in page
    assert "/courses/home-course/lesson-1" in page.split('data-testid="home-resume"')[1][:200]
    manager_client, _ = login_as("manager")
    page = manager_client.get("/").get_data(as_text=True)
    assert 'data-testid="home-team-learning"' in page
    trainer_client, _ = login_as("trainer")
    page = trainer_client.get("/").get_data(as_text=True)
    assert "首页课程" in page and "1/1" not in page and "0/1" in page


def test_manager_without_a_team_sees_nobody(app, make_user, make_course, assign, login_as):
    assign(make_user("agent", name="某客服"), make_course("solo"))
    client, _ = login_as("manager")
    page = client.get("/courses/team/progress").get_data(as_text=True)
    assert "某客服" not in page
    assert "某客服" not in client.get("/courses/team/assign").get_data(as_text=True)
    assert "某客服" not in client.get("/courses/team/progress.csv").get_data(as_text=True)


def test_staff_pages_escape_course_titles(app, make_user, make_course, assign, login_as):
    assign(make_user("agent"), make_course("xss", title="<img src=x onerror=alert(1)>"))
    client, _ = login_as("admin")
    for url in (
        "/courses/manage/",
        "/courses/manage/xss",
        "/courses/team/progress",
        "/courses/team/assign",
        "/",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<img src=x onerror" not in page, url
