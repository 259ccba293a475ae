"""A finished run keeps its figures (drills.figures): `summarise_runs`'s output, stored when the
run finishes, again when a grade lands or a trainer changes one, cleared by a new policy (and
stored again by a job); readers never see figures that differ from `summarise_runs`."""

from tests.drills.conftest import serve_two
from tests.jobs.conftest import queue, run_queued  # noqa: F401 - fixtures
from trainer.drills.achievements import drill_results
from trainer.drills.figures import figures_of, run_figures
from trainer.drills.models import DrillRun
from trainer.drills.results import summarise_runs
from trainer.extensions import db
from trainer.roleplay import review
from trainer.roleplay.judge import allowed_scores
from trainer.roleplay.models import RoleplaySession
from trainer.roleplay.policy import store as policy_store


def _run(run_id: int) -> DrillRun:
    db.session.expire_all()
    return db.session.get(DrillRun, run_id)


def _live(run: DrillRun):
    return figures_of(summarise_runs([run])[run.id])


def _stored_as_live(run_id: int):
    """The stored figures, after checking they are exactly `summarise_runs`'s."""
    run = _run(run_id)
    assert run.figures is not None
    assert run_figures([run])[run.id] == _live(run)
    return run_figures([run])[run.id]


def _finished_run(client, clock) -> int:
    run_id = serve_two(client, clock)
    assert client.post(f"/drills/runs/{run_id}/finish").status_code == 302
    return run_id


def _a_changed_item(session: RoleplaySession) -> dict:
    spec_items = {i["id"]: i for i in session.version.spec["rubric"]["items"]}
    for item in review.effective_items(session.grade):
        other = [s for s in allowed_scores(spec_items[item["id"]]) if s != item["score"]]
        if other and other[0] is not None:
            return {item["id"]: review.ItemDecision(other[0], "复核调整")}
    raise AssertionError("no item to change")


def test_figures_follow_finish_grades_reviews_and_the_policy(
    queue,  # noqa: F811 - fixture
    login_as,
    make_drill,
    clock,
    count_queries,
):
    make_drill()
    client, agent = login_as("agent")
    agent_id = agent.id
    run_id = _finished_run(client, clock)
    pending = _stored_as_live(run_id)
    assert pending.grading_pending and pending.score is None and pending.served == 2

    run_queued(queue)  # the grading jobs land: each stores the figures again
    graded = _stored_as_live(run_id)
    assert not graded.grading_pending and graded.score is not None

    run = _run(run_id)
    session = db.session.get(RoleplaySession, run.customers[0].session_id)
    _trainer_client, trainer = login_as("trainer")
    review.save_review(session.grade, trainer, _a_changed_item(session))
    db.session.commit()
    _stored_as_live(run_id)  # whatever the review changed, stored and live agree

    # A new policy version (none stored yet: the shipped file was in force).
    assert policy_store.save_version(policy_store.active_text(), source="editor", actor=trainer)
    db.session.commit()
    assert _run(run_id).figures is None  # breaches are counted under the policy in force
    with count_queries() as live:
        found = drill_results([agent_id])[agent_id]
    assert live.count > 1 and found[0].score == _live(_run(run_id)).score
    assert run_queued(queue) >= 1  # the job storing every missing figure
    _stored_as_live(run_id)
    with count_queries() as stored:
        again = drill_results([agent_id])[agent_id]
    assert stored.count == 1  # the runs, with their figures
    assert again == found
