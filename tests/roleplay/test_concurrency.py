"""A stalled model must not slow other pages; concurrent replies cannot both land."""

import threading

import httpx
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.roleplay.conftest import start_chat
from trainer.extensions import db
from trainer.roleplay import sessions, turns
from trainer.roleplay.models import RoleplaySession


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def _signed_in(base_url: str, user) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_stalled_model_does_not_block_other_pages(app, make_user, make_scenario, fake_llm):
    app.config["ROLEPLAY_LLM_TIMEOUT"] = 30.0  # the stall must outlast the other requests
    make_scenario()
    chatter, reader = make_user("agent"), make_user("agent")
    server, thread, base_url = _serve(app)
    try:
        chat_client = _signed_in(base_url, chatter)
        start = chat_client.post("/roleplay/scenarios/tiny-parcel/start")
        session_id = int(start.headers["location"].rstrip("/").split("/")[-1])
        fake_llm.fail_next("stall")
        streamed: list[str] = []
        finished = threading.Event()

        def chat():
            with chat_client.stream(
                "POST", f"/roleplay/sessions/{session_id}/turns", json={"text": "您好，请稍等。"}
            ) as response:
                for text in response.iter_text():
                    streamed.append(text)
            finished.set()

        worker = threading.Thread(target=chat, daemon=True)
        worker.start()
        # Wait until the model has been asked and is stalling mid-stream.
        for _ in range(200):
            if fake_llm.chat_requests() and any('"start"' in s for s in streamed):
                break
            finished.wait(0.05)
        assert fake_llm.chat_requests(), "the model was never called"
        other = _signed_in(base_url, reader)
        assert other.get("/roleplay/").status_code == 200
        assert other.get("/").status_code == 200
        assert other.get("/healthz").status_code == 200
        assert not finished.is_set(), "the stalled reply finished before the other pages"
        fake_llm.release()
        assert finished.wait(20)
        assert '"type": "done"' in "".join(streamed)
    finally:
        fake_llm.release()
        server.shutdown()
        thread.join(timeout=5)
    db.session.expire_all()
    session = db.session.get(RoleplaySession, session_id)
    assert [t.speaker for t in session.turns] == ["customer", "agent", "customer"]


def test_two_replies_to_the_same_turn_cannot_both_land(app, login_as, make_scenario, clock):
    make_scenario()
    client, agent = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    session = db.session.get(RoleplaySession, session_id)
    clock.shift(5)
    sessions.add_agent_turn(session, agent, "请问订单号？")
    db.session.commit()
    first = turns.prepare_reply(session)
    second = turns.prepare_reply(session)
    assert first.seq == second.seq == 2
    assert turns.store_reply(first, "第一条", 0, 0.1)["type"] == "done"
    assert turns.store_reply(second, "第二条", 0, 0.1) == {"type": "superseded"}
    db.session.expire_all()
    texts = [t.text for t in db.session.get(RoleplaySession, session_id).turns]
    assert texts == ["杯子碎了！怎么办？", "请问订单号？", "第一条"]
