"""Pages issue the same number of SQL queries whatever the number of courses, lessons or agents."""

from trainer.courses.progress import complete_lesson
from trainer.extensions import db


def queries_for(client, count_queries, url: str) -> int:
    client.get(url)  # warm-up: first-request work (sessions, caches) is not what we measure
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_catalogue_queries_do_not_grow(app, login_as, make_course, assign, count_queries):
    client, agent = login_as("agent")
    first = make_course("first", lessons=2)
    assign(agent, first)
    small = queries_for(client, count_queries, "/courses/")
    for n in range(6):
        course = make_course(f"more-{n}", lessons=4, prerequisites=["first"])
        assign(agent, course, due_days=n - 3)
        complete_lesson(agent, course.lessons[0])
    db.session.commit()
    large = queries_for(client, count_queries, "/courses/")
    assert large == small
    assert large <= 12


def test_lesson_page_queries_do_not_grow(app, login_as, make_course, count_queries):
    client, agent = login_as("agent")
    base = make_course("base", lessons=1)
    make_course("short", lessons=2, prerequisites=["base"])
    long_course = make_course("long", lessons=15, prerequisites=["base"])
    complete_lesson(agent, base.lessons[0])
    for lesson in long_course.lessons[:10]:
        complete_lesson(agent, lesson)
    db.session.commit()
    small = queries_for(client, count_queries, "/courses/short/lesson-2")
    large = queries_for(client, count_queries, "/courses/long/lesson-12")
    assert large == small
    assert large <= 10


def test_course_page_queries_do_not_grow(app, login_as, make_course, count_queries):
    client, _ = login_as("agent")
    make_course("small-course", lessons=1)
    make_course("big-course", lessons=20)
    small = queries_for(client, count_queries, "/courses/small-course")
    large = queries_for(client, count_queries, "/courses/big-course")
    assert large == small


def test_team_progress_queries_do_not_grow(
    app, login_as, make_user, make_team, make_course, assign, count_queries
):
    client, trainer = login_as("trainer")
    team = make_team("大组")
    course = make_course("c-0", lessons=3)
    assign(make_user("agent", team=team), course)
    small = queries_for(client, count_queries, "/courses/team/progress")
    small_csv = queries_for(client, count_queries, "/courses/team/progress.csv")
    courses = [course] + [make_course(f"c-{n}", lessons=3) for n in range(1, 5)]
    for i in range(30):
        agent = make_user("agent", team=make_team(f"组 {i}") if i % 10 == 0 else team)
        for c in courses[: 1 + i % 5]:
            assign(agent, c, due_days=i - 15)
        complete_lesson(agent, courses[0].lessons[0])
    db.session.commit()
    large = queries_for(client, count_queries, "/courses/team/progress")
    assert large == small
    assert large <= 14
    assert queries_for(client, count_queries, "/courses/team/progress.csv") == small_csv
    filtered = queries_for(
        client, count_queries, f"/courses/team/progress?team={team.id}&status=overdue"
    )
    assert filtered == small


def test_home_panels_queries_do_not_grow(app, login_as, make_course, assign, count_queries):
    client, agent = login_as("agent")
    assign(agent, make_course("h-0", lessons=2))
    small = queries_for(client, count_queries, "/")
    for n in range(1, 6):
        course = make_course(f"h-{n}", lessons=5)
        assign(agent, course, due_days=n)
        complete_lesson(agent, course.lessons[0])
    db.session.commit()
    assert queries_for(client, count_queries, "/") == small


def test_the_learning_overview_reads_the_enrolments_with_the_courses(
    app, make_user, make_course, assign, count_queries
):
    """On a GET the catalogue's statement brings the user's enrolments too, every one of them
    (a course no longer published included): what `enrollments_of` reads on its own."""
    from trainer.courses.learning import learning_overview
    from trainer.courses.progress import enrollments_of

    agent = make_user("agent")
    shown, hidden, other = make_course("shown"), make_course("hidden"), make_course("other")
    assign(agent, shown)
    assign(agent, hidden)
    hidden.published = False
    db.session.commit()
    alone = {cid: e.id for cid, e in enrollments_of(agent.id).items()}
    assert set(alone) == {shown.id, hidden.id}
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        with count_queries() as counter:
            overview = learning_overview(agent)
            together = {cid: e.id for cid, e in enrollments_of(agent.id).items()}
        assert together == alone
        listed = {s.course.id: s for s in overview.statuses}
        assert set(listed) == {shown.id, other.id}  # the unpublished course is not listed
        assert listed[shown.id].enrollment.id == alone[shown.id]
    assert not any(s.startswith("SELECT enrollments") for s in counter.statements)
