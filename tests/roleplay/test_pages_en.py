"""Every role-play page renders in English too (the catalogue is complete both ways)."""

from tests.roleplay.conftest import say, start_chat


def test_pages_render_in_english(app, login_as, make_scenario, clock):
    make_scenario()
    agent, _ = login_as("agent")
    agent.post("/locale", data={"locale": "en", "next": "/"})
    page = agent.get("/roleplay/").get_data(as_text=True)
    assert "Role-play practice" in page
    session_id = start_chat(agent, "tiny-parcel")
    assert "End chat and grade" in agent.get(f"/roleplay/sessions/{session_id}").get_data(
        as_text=True
    )
    clock.shift(5)
    say(agent, session_id, "非常抱歉，理解您！麻烦发一下照片。")
    agent.post(f"/roleplay/sessions/{session_id}/end")
    result = agent.get(f"/roleplay/sessions/{session_id}/result").get_data(as_text=True)
    assert "Reply times" in result and "Customer mood" in result and "Passed" in result
    trainer, _ = login_as("trainer")
    trainer.post("/locale", data={"locale": "en", "next": "/"})
    for url in [
        "/roleplay/manage/",
        "/roleplay/manage/tiny-parcel",
        "/roleplay/manage/tiny-parcel/edit",
        "/roleplay/manage/new",
        "/roleplay/review/",
        f"/roleplay/review/{session_id}",
        "/roleplay/review/calibration",
        "/roleplay/review/assign",
        "/roleplay/review/results",
    ]:
        response = trainer.get(url)
        assert response.status_code == 200, url
        assert 'lang="en"' in response.get_data(as_text=True)
    assert "Review queue" in trainer.get("/roleplay/review/").get_data(as_text=True)
