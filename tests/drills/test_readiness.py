"""The managers' peak-readiness view and its CSV."""

import csv
import io

from tests.conftest import login
from tests.drills.conftest import reply, start
from trainer.drills.readiness import team_readiness


def _signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _served_run(client, clock, answer_third: bool = True) -> None:
    run_id = start(client)
    clock.shift(1)
    reply(client, run_id, 1, "您好，抱歉，请问有照片吗？")
    clock.shift(5)
    reply(client, run_id, 2, "您好，抱歉，请问有照片吗？")
    clock.shift(5)
    if answer_third:
        reply(client, run_id, 3, "您好，抱歉，请问有照片吗？")
    clock.shift(60)
    client.post(f"/drills/runs/{run_id}/finish")
    clock.shift(60)


def test_readiness_per_agent_with_trend_and_csv(app, make_drill, make_team, clock, make_user):
    make_drill()
    team = make_team("华东一组")
    manager = make_user("manager", team=team)
    ready = make_user("agent", team=team, name='=HYPERLINK("x")')
    not_ready = make_user("agent", team=team, name="小李")
    outsider = make_user("agent", name="别组")
    agent_client = _signed_in(app, ready)
    _served_run(agent_client, clock, answer_third=False)
    _served_run(agent_client, clock)
    other_client = _signed_in(app, outsider)
    _served_run(other_client, clock)

    lines = {line.user.id: line for line in team_readiness(manager)}
    assert set(lines) == {ready.id, not_ready.id}
    assert lines[ready.id].runs == 2 and lines[ready.id].peak_at_target == 3
    assert lines[ready.id].ready and len(lines[ready.id].trend) == 2
    assert lines[not_ready.id].runs == 0 and not lines[not_ready.id].ready

    client = _signed_in(app, manager)
    page = client.get("/drills/team/").get_data(as_text=True)
    assert "小李" in page and "别组" not in page
    response = client.get("/drills/team/readiness.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    first = next(r for r in rows[1:] if "HYPERLINK" in r[0])
    assert first[0].startswith("'=") and first[6] == "3"


def test_agents_cannot_open_the_team_view(app, login_as):
    client, _ = login_as("agent")
    assert client.get("/drills/team/").status_code == 403
    assert client.get("/drills/team/readiness.csv").status_code == 403
