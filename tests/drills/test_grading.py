"""Finishing a drill queues the role-play grading job per conversation (cheap); the results
page says "评分中…" and polls a GET status endpoint that only reads, until every served
conversation is graded, then shows the score computed by drills.results."""

from tests.conftest import reads_only
from tests.drills.conftest import serve_two
from tests.jobs.conftest import queue, run_queued  # noqa: F401 - fixtures
from trainer.core.jobmodels import JobRun
from trainer.drills.models import DrillRun
from trainer.drills.results import summarise_runs
from trainer.extensions import db


def test_finish_queues_grading_and_the_results_page_waits_for_it(
    queue,  # noqa: F811 - fixture
    login_as,
    make_drill,
    clock,
    count_queries,
):
    make_drill()
    client, _agent = login_as("agent")
    run_id = serve_two(client, clock)
    with count_queries() as finishing:
        assert client.post(f"/drills/runs/{run_id}/finish").status_code == 302
    assert finishing.count <= 60, finishing.count  # grading inline took about 122
    assert len(queue) == 2  # one grading job per served conversation; nothing graded yet
    page = reads_only(lambda: client.get(f"/drills/runs/{run_id}/results"))
    html = page.get_data(as_text=True)
    assert 'data-testid="dr-grading"' in html and "评分中…" in html
    assert f'data-status-url="/drills/runs/{run_id}/grading"' in html
    assert "drill_results.js" in html
    status = reads_only(lambda: client.get(f"/drills/runs/{run_id}/grading")).get_json()
    assert status["pending"] and status["score"] is None
    assert (status["graded"], status["total"]) == (0, 2)
    assert "0 / 2" in status["message"]
    # A second "End the drill" queues nothing more.
    assert client.post(f"/drills/runs/{run_id}/finish").status_code == 302
    assert len(queue) == 2
    # What the worker does: the two gradings, then the one skills refresh both queued for the
    # agent (the second grade found it still queued under the agent's key).
    assert run_queued(queue) == 3
    refreshes = db.session.scalars(db.select(JobRun).where(JobRun.name == "skills.refresh")).all()
    assert [r.status for r in refreshes] == ["done"]
    status = reads_only(lambda: client.get(f"/drills/runs/{run_id}/grading")).get_json()
    db.session.expire_all()
    summary = summarise_runs([db.session.get(DrillRun, run_id)])[run_id]
    assert not status["pending"] and status["score"] == summary.score is not None
    assert (status["graded"], status["total"]) == (2, 2)
    html = client.get(f"/drills/runs/{run_id}/results").get_data(as_text=True)
    assert f'data-testid="dr-score">{summary.score} / 100<' in html
    assert 'data-testid="dr-grading"' not in html


def test_only_the_agent_and_managers_see_grading_status(app, login_as, make_drill, clock):
    make_drill()
    client, _agent = login_as("agent")
    run_id = serve_two(client, clock)
    other, _ = login_as("agent")
    assert other.get(f"/drills/runs/{run_id}/grading").status_code in (403, 404)
    anonymous = app.test_client()
    assert anonymous.get(f"/drills/runs/{run_id}/grading").status_code in (302, 401)
