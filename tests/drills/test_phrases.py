"""An agent's quick replies: saved, listed on the workspace (escaped), deleted, capped."""

from tests.drills.conftest import start
from trainer.drills.models import DrillPhrase
from trainer.drills.phrases import MAX_PHRASES
from trainer.extensions import db


def _count(user) -> int:
    return db.session.scalar(
        db.select(db.func.count(DrillPhrase.id)).where(DrillPhrase.user_id == user.id)
    )


def test_phrases_are_saved_shown_and_deleted(app, login_as, make_drill, clock):
    make_drill()
    client, agent = login_as("agent")
    response = client.post(
        "/drills/phrases", data={"text": "<b>您好</b>，请稍等，我马上为您查询。"}
    )
    assert response.status_code == 302
    run_id = start(client)
    page = client.get(f"/drills/runs/{run_id}").get_data(as_text=True)
    assert "&lt;b&gt;您好&lt;/b&gt;" in page and "<b>您好" not in page
    phrase = db.session.scalar(db.select(DrillPhrase).where(DrillPhrase.user_id == agent.id))
    other, _ = login_as("agent")
    other.post(f"/drills/phrases/{phrase.id}/delete")
    assert _count(agent) == 1  # not theirs
    client.post(f"/drills/phrases/{phrase.id}/delete")
    assert _count(agent) == 0


def test_bad_phrases_are_refused_and_nothing_changes(app, login_as):
    client, agent = login_as("agent")
    assert client.post("/drills/phrases", data={"text": "  "}).status_code == 400
    assert client.post("/drills/phrases", data={"text": "长" * 201}).status_code == 400
    for n in range(MAX_PHRASES):
        client.post("/drills/phrases", data={"text": f"短语 {n}"})
    response = client.post("/drills/phrases", data={"text": "one too many"})
    assert response.status_code == 400 and _count(agent) == MAX_PHRASES
