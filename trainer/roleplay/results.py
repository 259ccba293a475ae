"""What the agent's pages show: the catalogue, past attempts, and the result of a session."""

from trainer.courses.achievements import course_titles as titles_of
from trainer.courses.achievements import lesson_exists, lesson_titles, lesson_url
from trainer.extensions import db
from trainer.roleplay import catalog, services
from trainer.roleplay.charts import mood_chart, response_chart
from trainer.roleplay.grading import fraction, item_failed
from trainer.roleplay.labels import flag_label, item_detail, level_label, score_label
from trainer.roleplay.models import ACTIVE, RoleplaySession, Scenario
from trainer.roleplay.review import effective_items
from trainer.roleplay.rules import uncovered_facts
from trainer.roleplay.transcript import from_turns


def catalogue_context(user, category: str = "", difficulty: int | None = None) -> dict:
    """Scenarios (filtered), assignments, best scores and recent sessions for the catalogue."""
    scenarios = [
        s
        for s in catalog.published_scenarios()
        if (not category or s.category == category)
        and (not difficulty or s.difficulty == difficulty)
    ]
    assignments = services.assigned_scenarios(user)
    return {
        "scenarios": scenarios,
        "assignments": assignments,
        "passed_ids": services.passed_scenario_ids(user),
        "best": services.best_scores(user),
        "recent": services.user_sessions(user, limit=10),
    }


def attempts_on(user, scenario: Scenario) -> list[RoleplaySession]:
    """The user's sessions on one scenario, newest first."""
    return list(
        db.session.scalars(
            db.select(RoleplaySession)
            .where(RoleplaySession.user_id == user.id, RoleplaySession.scenario_id == scenario.id)
            .options(db.joinedload(RoleplaySession.grade))
            .order_by(RoleplaySession.started_at.desc())
            .limit(20)
        ).unique()
    )


def active_session(user, scenario: Scenario) -> RoleplaySession | None:
    """An unfinished conversation of the user on this scenario, to resume."""
    return db.session.scalar(
        db.select(RoleplaySession)
        .where(
            RoleplaySession.user_id == user.id,
            RoleplaySession.scenario_id == scenario.id,
            RoleplaySession.status == ACTIVE,
        )
        .order_by(RoleplaySession.started_at.desc())
        .limit(1)
    )


def lesson_link(key: str) -> str | None:
    """The URL of a coaching lesson that agents can read now, else None (shown as text)."""
    course, lesson = key.split("/", 1)
    return lesson_url(course, lesson) if lesson_exists(course, lesson) else None


def course_titles(keys: list[str]) -> dict[str, dict]:
    """Course slug → title for the coaching keys."""
    return titles_of(sorted({key.split("/", 1)[0] for key in keys}))


def coaching_for(spec: dict, items: list[dict]) -> list[dict]:
    """Lessons behind the items that did not get full marks (each lesson once)."""
    missed = {item["id"] for item in items if item["score"] is not None and fraction(item) < 1}
    seen, links = set(), []
    titles = {item["id"]: item["title"] for item in items}
    for link in spec["coaching"]:
        if link["item"] in missed and link["lesson"] not in seen:
            seen.add(link["lesson"])
            links.append(
                {
                    "lesson": link["lesson"],
                    "url": lesson_link(link["lesson"]),
                    "item_title": titles.get(link["item"], {}),
                }
            )
    keys = [link["lesson"] for link in links]
    courses = course_titles(keys) if links else {}
    lessons = lesson_titles(keys) if links else {}
    for link in links:
        link["course_title"] = courses.get(link["lesson"].split("/", 1)[0])
        link["lesson_title"] = lessons.get(link["lesson"])
    return links


def result_context(session: RoleplaySession) -> dict:
    """Everything the result page shows (the session comes from load_session_detail)."""
    spec = session.version.spec
    lines = from_turns(session.turns)
    grade = session.grade
    items = effective_items(grade) if grade else []
    for item in items:
        item["failed"] = item_failed(item)
        item["score_text"] = score_label(item)
        item["detail_text"] = item_detail(item)
        item["level_text"] = level_label(item.get("level"))
        if "auto_score" in item:
            item["auto_score_text"] = score_label(item, item["auto_score"])
    first = next(
        (
            i
            for i in spec["rubric"]["items"]
            if i.get("check", {}).get("type") == "first_response_within"
        ),
        None,
    )
    target = first["check"]["seconds"] if first else 30
    uncovered = uncovered_facts(spec, lines)
    return {
        "session": session,
        "spec": spec,
        "turns": session.turns,
        "grade": grade,
        "items": items,
        "flags": [flag_label(f) for f in grade.flags] if grade else [],
        "coaching": coaching_for(spec, items),
        "response_chart": response_chart(lines, target),
        "mood_chart": mood_chart(session.turns, spec),
        "target_seconds": target,
        "facts": [{"fact": f["fact"], "found": f["id"] in uncovered} for f in spec["hidden_facts"]],
    }
