"""Demo data for `flask seed-demo`: 90 days of KPI history for the demo team, and OKRs.

The demo team gets a few more agents so the team scorecard and the incentive ranking have
something to compare. Every number comes from a random generator seeded by the agent's email,
so the demo looks the same on every machine and every run.
"""

import random
import secrets
from datetime import date, timedelta

from trainer.accounts import services as accounts
from trainer.accounts.models import User
from trainer.core.clock import today
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.models import KpiRecord, TeamKpiRecord
from trainer.scorecards.periods import quarter_bounds, quarter_of
from trainer.scorecards.records import write_batch

HISTORY_DAYS = 90
TEAMMATES = [
    ("chen.xiao@demo-team.trainer", "陈晓", 0.85),
    ("liu.yang@demo-team.trainer", "刘洋", 0.55),
    ("zhao.min@demo-team.trainer", "赵敏", 0.70),
    ("sun.hao@demo-team.trainer", "孙浩", 0.30),
    ("zhou.ting@demo-team.trainer", "周婷", 0.62),
]
# Promotion days bring several times the usual volume (DOMAIN.md: ~10× at the peak itself).
PEAKS = {(11, 11): 3.0, (11, 10): 1.8, (11, 12): 1.6, (6, 18): 2.5, (6, 17): 1.5}


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def daily_figures(rng: random.Random, skill: float, day: date, improving: bool, index: int) -> dict:
    """One realistic helpdesk day for an agent of the given skill (0-1)."""
    if improving:  # the demo agent is new and getting better over the 90 days
        skill = _clamp(0.35 + 0.5 * index / HISTORY_DAYS, 0, 1)
    peak = PEAKS.get((day.month, day.day), 1.0)
    weekend = 1.15 if day.weekday() >= 5 else 1.0
    conversations = int(rng.gauss(70, 12) * peak * weekend)
    conversations = max(5, conversations)
    strain = 1 + (peak - 1) * 0.35  # busy days: slower replies, lower satisfaction
    csat_responses = max(1, int(conversations * rng.uniform(0.2, 0.4)))
    return {
        "conversations": conversations,
        "first_response_seconds": round(_clamp(rng.gauss(52 - 28 * skill, 5) * strain, 6, 600), 1),
        "response_rate": round(_clamp(rng.gauss(96 + 3.5 * skill, 1.0) / strain**0.2, 60, 100), 1),
        "resolution_rate": round(_clamp(rng.gauss(88 + 10 * skill, 2.0), 50, 100), 1),
        "csat": round(_clamp(rng.gauss(4.15 + 0.6 * skill, 0.12) / strain**0.1, 1, 5), 2),
        "csat_responses": csat_responses,
        "repeat_contact_rate": round(
            _clamp(rng.gauss(14 - 8 * skill, 1.5) * strain**0.5, 0, 100), 1
        ),
        # QA inspectors sample conversations on a couple of days a week.
        "qa_score": round(_clamp(rng.gauss(74 + 20 * skill, 4), 0, 100), 1)
        if rng.random() < 0.35
        else None,
    }


def _teammates(team) -> list[User]:
    users = []
    for email, name, _skill in TEAMMATES:
        user = accounts.get_user_by_email(email)
        if user is None:
            # Nobody signs in as these teammates; a random password keeps the accounts closed.
            password = secrets.token_urlsafe(18) + "Aa1!"
            user = accounts.create_user(
                email=email, name=name, role="agent", password=password, team=team
            )
        users.append(user)
    return users


def _has_history(agent_ids: list[int], start: date) -> set[int]:
    query = (
        db.select(KpiRecord.agent_id)
        .where(KpiRecord.agent_id.in_(agent_ids), KpiRecord.day >= start)
        .distinct()
    )
    return set(db.session.scalars(query))


def seed_kpi_history(agents: list[tuple[User, float, bool]], team_id: int, end: date) -> int:
    """Write 90 days of figures ending `end` for agents that have none yet; returns rows written."""
    start = end - timedelta(days=HISTORY_DAYS - 1)
    done = _has_history([a.id for a, _s, _i in agents], start)
    rows = []
    for agent, skill, improving in agents:
        if agent.id in done:
            continue
        rng = random.Random(f"kpi:{agent.email}")
        for index in range(HISTORY_DAYS):
            day = start + timedelta(days=index)
            rows.append(
                {
                    "agent_id": agent.id,
                    "day": day,
                    **daily_figures(rng, skill, day, improving, index),
                }
            )
    team_rows = []
    if (
        db.session.scalar(
            db.select(TeamKpiRecord.id).where(TeamKpiRecord.team_id == team_id).limit(1)
        )
        is None
    ):
        rng = random.Random(f"team:{team_id}")
        for index in range(HISTORY_DAYS):
            team_rows.append(
                {
                    "team_id": team_id,
                    "day": start + timedelta(days=index),
                    "cost_saving_rate": round(rng.gauss(10 + 6 * index / HISTORY_DAYS, 1.5), 1),
                    "churn_rate": round(
                        _clamp(rng.gauss(6.5 - 1.5 * index / HISTORY_DAYS, 0.6), 0, 100), 1
                    ),
                }
            )
    write_batch(rows, team_rows, source="seed")
    return len(rows) + len(team_rows)


DEMO_OKRS = [
    okrs.ObjectiveInput(
        "打造双十一高峰快捷回复库",
        [
            okrs.KeyResultInput("整理高频问题快捷话术", target=60, unit="条"),
            okrs.KeyResultInput("高峰日首次响应时长降到", target=25, start_value=45, unit="秒"),
        ],
    ),
    okrs.ObjectiveInput(
        "优化售后退换货流程",
        [
            okrs.KeyResultInput("退换货一次解决率", target=95, start_value=85, unit="%", weight=2),
            okrs.KeyResultInput("提交流程改进建议并被采纳", target=3, unit="条"),
        ],
    ),
    okrs.ObjectiveInput(
        "主动服务减少投诉",
        [okrs.KeyResultInput("物流异常主动通知覆盖率", target=90, start_value=40, unit="%")],
    ),
]


def _progress_share(quarter: str, on: date) -> float:
    start, end = quarter_bounds(quarter)
    return _clamp(((on - start).days + 1) / ((end - start).days + 1), 0.1, 1.0)


def seed_okrs(agent: User, manager: User, submitted_only: bool = False) -> None:
    """This quarter's OKRs for an agent: approved with progress so far, or waiting for approval."""
    quarter = quarter_of(today())
    if okrs.get_set(agent.id, quarter) is not None:
        return
    okr_set = okrs.save_draft(agent, quarter, DEMO_OKRS)
    okrs.submit_set(okr_set, agent)
    if submitted_only:
        return
    okrs.approve_set(okr_set, manager, "目标清晰，和团队双十一准备一致。")
    share = _progress_share(quarter, today())
    rng = random.Random(f"okr:{agent.email}")
    for objective in okr_set.objectives:
        for kr in objective.key_results:
            progress = _clamp(share * rng.uniform(0.7, 1.2), 0, 1)
            value = round(kr.start_value + (kr.target - kr.start_value) * progress, 1)
            okrs.update_progress(kr, agent, value, "阶段进展")


def seed_demo(users: dict) -> None:
    """KPI history for the demo team (demo agent + teammates) and OKRs for the demo agent."""
    manager, agent = users["manager"], users["agent"]
    team = manager.team
    if team is None:
        return
    teammates = _teammates(team)
    agents = [(agent, 0.5, True)] + [
        (u, skill, False) for u, (_e, _n, skill) in zip(teammates, TEAMMATES, strict=True)
    ]
    seed_kpi_history(agents, team.id, today() - timedelta(days=1))
    seed_okrs(agent, manager)
    seed_okrs(teammates[0], manager, submitted_only=True)
    db.session.flush()
