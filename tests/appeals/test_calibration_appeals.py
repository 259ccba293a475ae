"""The grader calibration page counts appeals per rubric item (kept, changed, open) and links
each count to the appeals on that item."""

from tests.appeals.test_appeals import _appeals, graded_session  # noqa: F401 - fixture
from trainer.extensions import db
from trainer.roleplay.appeals import ItemAppeals, appeals_by_item, changed_by_item
from trainer.roleplay.calibration import calibration_report


def _decided(graded_session, login_as):  # noqa: F811
    client, _agent, session = graded_session
    for item, reason in (
        ("empathy", "我道歉了"),
        ("photos", "问了照片"),
        ("first_response", "很快"),
    ):
        client.post(f"/appeals/roleplay/{session.id}/{item}", data={"reason": reason})
    trainer_client, _ = login_as("trainer")
    empathy, photos, _first = _appeals()
    trainer_client.post(
        f"/appeals/{empathy.id}", data={"decision": "change", "score": "4", "comment": "改"}
    )
    trainer_client.post(f"/appeals/{photos.id}", data={"decision": "keep", "comment": "维持"})
    db.session.expire_all()
    return trainer_client, session


def test_appeals_are_counted_per_item_by_outcome(app, graded_session, login_as, outbox):  # noqa: F811
    _trainer, session = _decided(graded_session, login_as)
    counts = appeals_by_item()
    assert counts[(session.scenario_id, "empathy")] == ItemAppeals(changed=1)
    assert counts[(session.scenario_id, "photos")] == ItemAppeals(kept=1)
    assert counts[(session.scenario_id, "first_response")] == ItemAppeals(open=1)
    assert changed_by_item() == {(session.scenario_id, "empathy"): 1}
    [scenario] = calibration_report()  # the change reviewed the grade
    assert scenario.items["empathy"].appeals.changed == 1
    assert scenario.items["photos"].appeals.kept == 1
    assert scenario.items["photos"].appeals.decided == 1
    assert scenario.items["no_off_platform"].appeals == ItemAppeals()


def test_the_calibration_page_links_counts_to_the_appeals(
    app,
    graded_session,  # noqa: F811
    login_as,
    outbox,
    count_queries,
):
    trainer, _session = _decided(graded_session, login_as)
    with count_queries() as counter:
        page = trainer.get("/roleplay/review/calibration").get_data(as_text=True)
    assert counter.count <= 12
    assert "申诉维持原分" in page and "申诉改分" in page
    kept = "/appeals/?scenario=tiny-parcel&amp;item=photos&amp;status=kept"
    changed = "/appeals/?scenario=tiny-parcel&amp;item=empathy&amp;status=changed"
    assert f'<a href="{kept}">1</a>' in page and f'<a href="{changed}">1</a>' in page
    listed = trainer.get(kept.replace("&amp;", "&")).get_data(as_text=True)
    assert "问了照片" in listed and "维持" in listed and "我道歉了" not in listed
    assert "场景 tiny-parcel 的角色扮演评分项 photos" in listed
    changed_page = trainer.get(changed.replace("&amp;", "&")).get_data(as_text=True)
    assert "我道歉了" in changed_page and "问了照片" not in changed_page
    # Open ones on the item; an unknown outcome falls back to open; other items show nothing.
    assert "很快" in trainer.get(
        "/appeals/?scenario=tiny-parcel&item=first_response&status=bogus"
    ).get_data(as_text=True)
    none = trainer.get("/appeals/?scenario=tiny-parcel&item=photos&status=changed")
    assert "没有该结果的申诉。" in none.get_data(as_text=True)
    # The plain queue is unchanged: open appeals only.
    queue = trainer.get("/appeals/").get_data(as_text=True)
    assert "很快" in queue and "问了照片" not in queue
    agent, _ = login_as("agent")
    assert agent.get(kept.replace("&amp;", "&")).status_code in (302, 403)
