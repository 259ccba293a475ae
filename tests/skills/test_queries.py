"""Skill profiles for 1,000 agents in a bounded number of queries (not growing with agents or
evidence), and the heatmap page likewise."""

from datetime import timedelta

from sqlalchemy import insert

from tests.conftest import login
from tests.skills.conftest import grade_items
from trainer.accounts.models import User
from trainer.core.clock import today, utcnow
from trainer.extensions import db
from trainer.roleplay.models import GRADED, RoleplayGrade, RoleplaySession, Scenario
from trainer.scorecards.models import KpiRecord
from trainer.skills import store
from trainer.skills.evidence import collect
from trainer.skills.profile import profile


def _agents(count: int, start: int, sessions_each: int, password_hash: str) -> list[int]:
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"bulk{start + i}@example.org",
                "name": f"Bulk {start + i}",
                "role": "agent",
                "password_hash": password_hash,
                "active": True,
                "locale": None,
                "created_at": now,
            }
            for i in range(count)
        ],
    )
    ids = list(
        db.session.scalars(db.select(User.id).where(User.email.like("bulk%")).order_by(User.id))
    )[-count:]
    scenario = db.session.scalar(
        db.select(Scenario).where(Scenario.slug == "aftersales-seven-day-return-dress")
    )
    items = grade_items(scenario.current_version.spec, {"checked_condition": 0})
    sessions = [
        {
            "user_id": uid,
            "scenario_id": scenario.id,
            "version_id": scenario.current_version_id,
            "engine": "scripted",
            "status": GRADED,
            "trial": False,
            "started_at": now - timedelta(days=n + 1),
            "ended_at": now - timedelta(days=n),
        }
        for uid in ids
        for n in range(sessions_each)
    ]
    db.session.execute(insert(RoleplaySession), sessions)
    session_ids = db.session.scalars(
        db.select(RoleplaySession.id).where(RoleplaySession.user_id.in_(ids))
    )
    db.session.execute(
        insert(RoleplayGrade),
        [
            {
                "session_id": sid,
                "items": items,
                "flags": [],
                "judge": "offline",
                "tokens": 0,
                "auto_total": 50,
                "auto_passed": False,
                "auto_critical_failed": False,
                "total": 50,
                "passed": False,
                "critical_failed": False,
                "flagged": False,
                "graded_at": now,
            }
            for sid in session_ids
        ],
    )
    db.session.execute(
        insert(KpiRecord),
        [
            {
                "agent_id": uid,
                "day": today() - timedelta(days=d),
                "conversations": 10,
                "first_response_seconds": 40,
                "csat": 4.6,
                "response_rate": 97,
                "resolution_rate": 95,
                "repeat_contact_rate": 9,
                "source": "csv",
                "updated_at": now,
            }
            for uid in ids
            for d in range(sessions_each)
        ],
    )
    db.session.commit()
    return ids


def test_profiles_of_1000_agents_take_the_same_queries_as_of_10(content, make_user, count_queries):
    hashed = make_user("agent").password_hash
    few = _agents(10, 0, 1, hashed)
    many = _agents(1000, 10, 3, hashed)
    skill_map = store.active_map()
    collect(skill_map, few)  # the KPI catalogue is read once per request
    with count_queries() as small:
        collect(skill_map, few)
    with count_queries() as large:
        evidence = collect(skill_map, many)
    assert large.count == small.count <= 8, large.statements
    levels = profile(skill_map, evidence[many[0]].items)
    assert levels["verify_facts"].level == "weak" and len(evidence) == 1000


def test_heatmap_page_queries_do_not_grow_with_agents(app, content, make_user, count_queries):
    trainer = make_user("trainer")
    client = app.test_client()
    login(client, trainer)
    _agents(5, 0, 1, trainer.password_hash)
    client.get("/skills/team")  # the map's text is read and parsed once per process
    with count_queries() as small:
        assert client.get("/skills/team").status_code == 200
    _agents(500, 5, 2, trainer.password_hash)
    with count_queries() as large:
        page = client.get("/skills/team")
    assert page.status_code == 200 and page.get_data(as_text=True).count("heatmap-row") == 505
    assert large.count == small.count, (small.statements, large.statements)


def test_the_home_reads_the_snapshot_with_the_session(
    app, content, login_as, make_graded, count_queries
):
    """On the home page the agent's snapshot and the map version in force come with the
    session's statement; the next steps are those `steps_for` reads on its own."""
    from trainer.core.memo import remember, session_key
    from trainer.skills import snapshots
    from trainer.skills.home import steps_for

    client, agent = login_as("agent")
    make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    snapshots.refresh(store.active_map(), [agent.id])
    db.session.commit()
    alone = steps_for(agent.id)
    assert alone

    client.get("/")
    with count_queries() as counter:
        page = client.get("/").get_data(as_text=True)
    reads = [s for s in counter.statements if "skill_snapshots" in s]
    assert len(reads) == 1 and "auth_sessions" in reads[0], reads
    assert 'data-testid="home-next-steps"' in page

    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        data, map_id, digest = db.session.execute(
            db.select(
                snapshots.snapshot_column(agent.id),
                store.map_id_column(),
                store.map_digest_column(),
            )
        ).one()
        remember(session_key(snapshots.SNAPSHOT, agent.id), data)
        remember(session_key(snapshots.MAP_ID), map_id)
        remember(session_key(snapshots.MAP_DIGEST), digest)
        with count_queries() as primed:
            assert steps_for(agent.id) == alone
        assert primed.count == 0
