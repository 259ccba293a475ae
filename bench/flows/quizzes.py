"""Quiz flows for the load benchmark: agents take a timed compliance quiz, trainers read analytics.

Autosave is the hottest endpoint at peak training time (every click of every agent), so it has
its own label, "quiz: autosave", and the harness reports its p95 separately.
"""

import re

from bench import bulk
from bench.harness import Flow, UserSession

QUIZ = "anti-fraud-privacy"  # shipped in courses/compliance/quiz.yaml
FIELDSET = re.compile(r'<fieldset class="card quiz-question" data-slot="(\d+)".*?</fieldset>', re.S)
CHOICE = re.compile(r'type="(radio|checkbox)" name="(q\d+)" value="([^"]+)"')
SELECT = re.compile(r'<select id="[^"]+" name="(q\d+_r\d+)"(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
TEXT = re.compile(r'<input type="text" id="[^"]+" name="(q\d+)"[^>]*>')
ATTEMPT = re.compile(r"/quizzes/attempts/(\d+)")


def prepare(scale: int) -> None:
    """Let bench agents retake the shipped quiz freely and give analytics a history to read.

    On the throwaway bench database only: the quiz gets unlimited attempts without a wait, and
    every agent gets one finished past attempt, graded like a real one (in Python, then written
    with bulk inserts, bench/bulk.py, so 10,000 agents take seconds).
    """
    import random
    from datetime import timedelta

    from trainer.accounts.models import User
    from trainer.core.clock import utcnow
    from trainer.extensions import db
    from trainer.quizzes.demo import _right_response
    from trainer.quizzes.draw import candidate_ids, draw_questions, parse_rules
    from trainer.quizzes.grading import grade_response
    from trainer.quizzes.models import AttemptAnswer, QuizAttempt
    from trainer.quizzes.quizdefs import get_quiz_by_slug
    from trainer.quizzes.responses import make_layout

    quiz = get_quiz_by_slug(QUIZ)
    if quiz is None:
        raise RuntimeError(f"quiz {QUIZ} missing: run `flask content sync` first")
    quiz.attempts_allowed, quiz.wait_minutes, quiz.published = 0, 0, True
    rng = random.Random(2026)
    now = utcnow()
    # One draw's worth of questions to sample from (drawing per agent would query each time).
    count = sum(rule.get("count", 0) for rule in quiz.draw_rules if rule["type"] == "random")
    pool = [
        (question.current_version_id, question.current_version.spec())
        for question in draw_questions(
            [
                {**rule, "count": len(candidate_ids(parse_rules([rule])[0]))}
                for rule in quiz.draw_rules
            ],
            rng,
        )
    ]
    agents = db.session.scalars(db.select(User.id).where(User.email.like("bench-agent-%"))).all()
    attempts, answers = [], {}
    for agent_id in agents:
        started = now - timedelta(days=rng.randint(1, 30), minutes=30)
        skill, slots, total = rng.random(), [], 0.0
        for slot, (version_id, spec) in enumerate(rng.sample(pool, count)):
            response = _right_response(spec) if rng.random() < skill else None
            fraction = round(grade_response(spec, response).fraction, 6)
            total += fraction
            slots.append(
                {
                    "slot": slot,
                    "version_id": version_id,
                    "layout": make_layout(spec, quiz.shuffle_options, rng),
                    "response": response,
                    "saved_at": started + timedelta(minutes=slot + 1),
                    "fraction": fraction,
                }
            )
        score = round(max(total, 0.0) / count * 100, 2) if count else 0.0
        attempts.append(
            {
                "quiz_id": quiz.id,
                "user_id": agent_id,
                "number": 1,
                "state": "finished",
                "started_at": started,
                "deadline_at": started + timedelta(minutes=quiz.time_limit_minutes or 15),
                "submitted_at": started + timedelta(minutes=rng.randint(4, 14)),
                "finished_by": "agent",
                "score": score,
                "passed": score >= quiz.pass_mark,
            }
        )
        answers[agent_id] = slots
    bulk.insert_rows(QuizAttempt, attempts)
    ids = db.session.execute(
        db.select(QuizAttempt.user_id, QuizAttempt.id).where(QuizAttempt.quiz_id == quiz.id)
    ).all()
    bulk.insert_rows(
        AttemptAnswer,
        ({"attempt_id": a, **slot} for user_id, a in ids for slot in answers.get(user_id, [])),
    )
    db.session.commit()


def _answers(fieldset: str, rng) -> dict[str, list[str]]:
    """A plausible answer to one question of the attempt page."""
    choices = CHOICE.findall(fieldset)
    if choices:
        kind, name = choices[0][0], choices[0][1]
        values = [value for _kind, _name, value in choices]
        if kind == "radio":
            return {name: [rng.choice(values)]}
        return {name: rng.sample(values, rng.randint(1, len(values)))}
    selects = SELECT.findall(fieldset)
    if selects:
        return {name: [rng.choice(OPTION.findall(body))] for name, body in selects}
    match = TEXT.search(fieldset)
    if match:
        numeric = "inputmode" in match.group(0)
        typed = str(rng.randint(1, 400)) if numeric else rng.choice(["提货码", "原路退回"])
        return {match.group(1): [typed]}
    return {}


def attempt_questions(page: str) -> list[tuple[int, str]]:
    """The (slot, fieldset HTML) of every question on an attempt page."""
    return [(int(m.group(1)), m.group(0)) for m in FIELDSET.finditer(page)]


def autosave_body(questions: list[tuple[int, str]], rng) -> dict:
    """An autosave request's JSON: a plausible answer to one of the attempt's questions."""
    slot, fieldset = rng.choice(questions)
    return {"slot": slot, "fields": _answers(fieldset, rng)}


async def take_quiz(s: UserSession) -> None:
    """List, open, start, answer every question with autosave (some twice), submit, review."""
    await s.get("/quizzes/", label="quiz: list")
    await s.get(f"/quizzes/{QUIZ}", label="quiz: page")
    response = await s.post(f"/quizzes/{QUIZ}/start", label="quiz: start")
    match = ATTEMPT.search(response.headers.get("location", ""))
    if match is None:
        return  # not allowed to start now (the page said why)
    attempt = match.group(1)
    page = await s.get(f"/quizzes/attempts/{attempt}", label="quiz: attempt page")
    for question in FIELDSET.finditer(page):
        slot, fieldset = question.group(1), question.group(0)
        for _ in range(2 if s.rng.random() < 0.3 else 1):  # agents change their mind
            await s.post_json(
                f"/quizzes/attempts/{attempt}/answers",
                {"slot": int(slot), "fields": _answers(fieldset, s.rng)},
                label="quiz: autosave",
            )
    await s.post(f"/quizzes/attempts/{attempt}/submit", label="quiz: submit")
    await s.get(f"/quizzes/attempts/{attempt}/review", label="quiz: review")


async def read_analytics(s: UserSession) -> None:
    """A trainer opens the quiz list, the analytics overview and the quiz's item analysis."""
    await s.get("/quizzes/manage/", label="quiz: manage list")
    html = await s.get("/quizzes/analytics/", label="quiz: analytics list")
    ids = re.findall(r'href="/quizzes/analytics/(\d+)"', html)
    if ids:
        await s.get(f"/quizzes/analytics/{s.rng.choice(ids)}", label="quiz: analytics")


FLOWS = [
    Flow("quiz attempt", role="agent", run=take_quiz),
    Flow("quiz analytics", role="trainer", run=read_analytics),
]
