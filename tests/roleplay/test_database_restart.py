"""PostgreSQL goes away while users work: every backend of the test database is terminated
(what a restart or a failover does to the app's connections; the shared server itself is never
restarted). A request in flight gets a friendly 503, the next ones succeed (pool_pre_ping), and
nothing acknowledged is lost. Runs when TEST_DATABASE_URL points at PostgreSQL.
"""

import os
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.roleplay.conftest import say, start_chat
from trainer.extensions import db
from trainer.roleplay.models import RoleplayTurn

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL: set TEST_DATABASE_URL (CI does)",
)


def _terminate_every_backend(url: str) -> int:
    """Kill every connection to the app's database but this one; how many were killed."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            return conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        admin.dispose()


def _agent_texts(session_id: int) -> list[str]:
    db.session().invalidate()  # the test's own connection was killed too: drop it, no rollback
    db.session.remove()
    return list(
        db.session.scalars(
            db.select(RoleplayTurn.text)
            .where(RoleplayTurn.session_id == session_id, RoleplayTurn.speaker == "agent")
            .order_by(RoleplayTurn.seq)
        )
    )


def test_requests_after_the_database_dropped_every_connection_succeed(app, login_as, make_scenario):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    acknowledged = []
    for text in ("您好，请问订单号是多少？", "麻烦发一下破损的照片。"):
        status, events = say(client, session_id, text)
        assert status == 200 and events[-1]["type"] == "done"
        acknowledged.append(text)

    assert _terminate_every_backend(url) >= 1

    assert client.get("/roleplay/").status_code == 200
    status, events = say(client, session_id, "我们马上给您补发。")
    assert status == 200 and events[-1]["type"] == "done"
    acknowledged.append("我们马上给您补发。")
    assert _agent_texts(session_id) == acknowledged


def test_a_request_in_flight_when_the_database_goes_away_gets_a_friendly_answer(
    app, login_as, make_scenario
):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    status, _events = say(client, session_id, "您好，请问订单号是多少？")
    assert status == 200
    armed = {"on": True}

    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def cut_the_database(conn, cursor, statement, params, context, executemany):
        if armed["on"] and statement.lstrip().upper().startswith("INSERT INTO ROLEPLAY_TURNS"):
            armed["on"] = False
            _terminate_every_backend(url)  # this request's connection too, mid-transaction
            time.sleep(0.3)

    try:
        response = client.post(
            f"/roleplay/sessions/{session_id}/turns", json={"text": "这条消息发送时数据库断开了。"}
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", cut_the_database)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "数据库" in page or "database" in page.lower()
    assert "Traceback" not in page

    # The next request works; the acknowledged turn is there, the failed one was never stored.
    status, events = say(client, session_id, "请再说一遍您的问题。")
    assert status == 200 and events[-1]["type"] == "done"
    assert _agent_texts(session_id) == ["您好，请问订单号是多少？", "请再说一遍您的问题。"]
