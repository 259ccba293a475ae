"""The agent home panel: the running drill or the last one, in one query."""

from tests.drills.conftest import start
from trainer.core.features import home_widgets_for
from trainer.extensions import db


def _panel_queries(app, agent, count_queries) -> tuple[int, dict]:
    with app.test_request_context():
        db.session.refresh(agent)
        (widget,) = [w for w in home_widgets_for(agent) if w.template.startswith("drills/")]
        with count_queries() as counter:
            ctx = widget.context(agent)
            if ctx["latest"] is not None:
                ctx["latest"].drill.title  # noqa: B018 - what the template reads
        return counter.count, ctx


def test_home_panel_is_one_query(app, login_as, make_drill, clock, count_queries):
    make_drill()
    client, agent = login_as("agent")
    count, ctx = _panel_queries(app, agent, count_queries)
    assert count == 1 and ctx["latest"] is None
    run_id = start(client)
    count, ctx = _panel_queries(app, agent, count_queries)
    assert count == 1 and ctx["latest"].id == run_id
    page = client.get("/").get_data(as_text=True)
    assert f"/drills/runs/{run_id}" in page
