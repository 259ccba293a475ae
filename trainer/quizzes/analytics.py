"""Trainer analytics per quiz: the results table and Moodle-style item analysis.

- Facility index F: the mean mark on the question, in percent of its maximum.
- Discrimination index D: 100 × the correlation between the mark on the question and the mark
  on the rest of the attempt (Moodle's definition); low or negative D means the question does
  not separate those who know the material from those who do not.
Flags appear only once a question has `MIN_RESPONSES` graded responses.
"""

import csv
import io
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, Text, cast, select
from sqlalchemy.orm import selectinload

from trainer.accounts.models import User
from trainer.core import clock
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes.grading import normalise_text
from trainer.quizzes.models import AttemptAnswer, QuestionVersion, Quiz, QuizAttempt
from trainer.quizzes.models.attempt import FINISHED
from trainer.quizzes.results import QuizResult, current_result
from trainer.quizzes.spec import MATCHING, MULTI, SINGLE, TRUEFALSE

MIN_RESPONSES = 10
TOO_EASY, TOO_HARD, POOR_DISCRIMINATION = 90.0, 20.0, 20.0


@dataclass
class ResultRow:
    """One agent's standing on the quiz."""

    user: User
    attempts: int
    result: QuizResult
    best: float | None
    last_at: datetime | None


@dataclass
class OptionShare:
    """How many responses chose something, and whether it earns marks."""

    label: str
    count: int
    percent: float
    credit: float | None = None  # weight in percent, when it is an option


@dataclass
class ItemStats:
    """Item analysis of one question version."""

    version: QuestionVersion
    responses: int
    facility: float | None
    discrimination: float | None
    options: list[OptionShare] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def finished_attempts(quiz: Quiz) -> list[Row]:
    """Finished attempts in submission order, as plain rows (one query).

    Each row carries what the results table and item analysis read — `id`, `user_id`,
    `started_at`, `submitted_at`, `score` — and quacks like a `QuizAttempt` for the grading
    helpers; building ORM instances for a thousand attempts is what made the page slow.
    """
    return list(
        db.session.execute(
            select(
                QuizAttempt.id,
                QuizAttempt.user_id,
                QuizAttempt.started_at,
                QuizAttempt.submitted_at,
                QuizAttempt.score,
            )
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == FINISHED)
            .order_by(QuizAttempt.submitted_at)
        )
    )


def results_table(quiz: Quiz, attempts: list[Row], now: datetime) -> list[ResultRow]:
    """One row per agent who finished an attempt, by name (users and teams: two queries)."""
    by_user: dict[int, list[Row]] = defaultdict(list)
    for attempt in attempts:
        by_user[attempt.user_id].append(attempt)
    if not by_user:
        return []
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_(by_user)).options(selectinload(User.team))
        )
    }
    rows = []
    for user_id, user_attempts in by_user.items():
        rows.append(
            ResultRow(
                user=users[user_id],
                attempts=len(user_attempts),
                result=current_result(quiz, user_attempts, now),
                best=max(a.score for a in user_attempts),
                last_at=max(a.submitted_at for a in user_attempts),
            )
        )
    return sorted(rows, key=lambda r: (r.user.name, r.user.id))


def results_csv(rows: list[ResultRow]) -> str:
    """The results table as CSV (UTF-8 with BOM so Excel opens Chinese names correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "email", "team", "attempts", "grade", "best", "passed", "passed_at", "expires_at"]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.user.name),
                _csv_safe(row.user.email),
                _csv_safe(row.user.team.name if row.user.team else ""),
                row.attempts,
                "" if row.result.grade is None else f"{row.result.grade:.2f}",
                "" if row.best is None else f"{row.best:.2f}",
                "yes" if row.result.passed else "no",
                clock.iso_local(row.result.passed_at),
                clock.iso_local(row.result.expires_at),
            ]
        )
    return "\ufeff" + out.getvalue()


def _csv_safe(text: str) -> str:
    """Keep spreadsheet apps from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def item_analysis(attempts: list[Row]) -> list[ItemStats]:
    """Facility, discrimination and response distribution per question version drawn.

    Answers come back as plain rows of the five columns used (two queries in all: answers, then
    the versions drawn); only the few question versions become ORM instances. Responses are
    fetched as JSON text and parsed once per distinct text, since most responses repeat.
    """
    if not attempts:
        return []
    answers = db.session.execute(
        select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.slot,
            AttemptAnswer.version_id,
            cast(AttemptAnswer.response, Text),  # parsed once per distinct text below
            AttemptAnswer.fraction,
        ).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))
    ).all()
    # Plain lists indexed by answer, grouped by index: few objects for the garbage collector.
    parsed: dict[str | None, dict | None] = {None: None}
    marks: list[float] = []
    responses: list[dict | None] = []
    by_attempt: dict[int, list[int]] = defaultdict(list)
    by_version: dict[int, list[int]] = defaultdict(list)
    for index, (attempt_id, _slot, version_id, text, fraction) in enumerate(answers):
        if text not in parsed:
            parsed[text] = json.loads(text)
        marks.append(fraction or 0.0)
        responses.append(parsed[text])
        by_attempt[attempt_id].append(index)
        by_version[version_id].append(index)
    # The mean mark on the rest of the attempt (slots are unique within an attempt), summed in
    # the order the answers came, as before.
    rest_of = [0.0] * len(answers)
    for indexes in by_attempt.values():
        attempt_marks = [marks[i] for i in indexes]
        for position, index in enumerate(indexes):
            others = attempt_marks[:position] + attempt_marks[position + 1 :]
            rest_of[index] = sum(others) / len(others) if others else 0.0
    versions = {
        version.id: version
        for version in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_(by_version))
        )
    }
    stats = []
    for version_id, indexes in by_version.items():
        version = versions[version_id]
        version_marks = [marks[i] for i in indexes]
        rest = [rest_of[i] for i in indexes]
        item = ItemStats(
            version=version,
            responses=len(version_marks),
            facility=round(100 * sum(version_marks) / len(version_marks), 1),
            discrimination=_correlation(version_marks, rest),
            options=_distribution(version, [responses[i] for i in indexes]),
        )
        item.flags = _flags(item)
        stats.append(item)
    return sorted(stats, key=lambda s: (s.version.title, s.version.number))


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    """100 × Pearson's r; None when either side does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return round(100 * sxy / math.sqrt(sxx * syy), 1)


def _flags(item: ItemStats) -> list[str]:
    if item.responses < MIN_RESPONSES:
        return []
    flags = []
    if item.facility is not None and item.facility >= TOO_EASY:
        flags.append("too_easy")
    if item.facility is not None and item.facility <= TOO_HARD:
        flags.append("too_hard")
    if item.discrimination is not None and item.discrimination < POOR_DISCRIMINATION:
        flags.append("poor_discrimination")
    return flags


def _share(label: str, count: int, total: int, credit: float | None = None) -> OptionShare:
    return OptionShare(label, count, round(100 * count / total, 1) if total else 0.0, credit)


def _distribution(version: QuestionVersion, responses: list[dict | None]) -> list[OptionShare]:
    spec = version.spec()
    total = len(responses)
    blank = sum(1 for r in responses if not r)
    shares: list[OptionShare] = []
    if spec.qtype in (SINGLE, MULTI):
        counts: Counter = Counter()
        for response in responses:
            if response:
                chosen = [response["choice"]] if "choice" in response else response["choices"]
                counts.update(chosen)
        shares = [
            _share(choice.text, counts[i], total, choice.weight)
            for i, choice in enumerate(spec.choices)
        ]
    elif spec.qtype == TRUEFALSE:
        counts = Counter(r["value"] for r in responses if r)
        shares = [
            _share(_("True"), counts[True], total, 100.0 if spec.correct else 0.0),
            _share(_("False"), counts[False], total, 0.0 if spec.correct else 100.0),
        ]
    elif spec.qtype == MATCHING:
        texts = spec.choice_texts()
        for index, pair in enumerate(spec.pairs):
            if not pair.left:
                continue
            right = sum(
                1
                for r in responses
                if r and texts[r["matches"].get(str(index), -1)] == pair.right
                if 0 <= r["matches"].get(str(index), -1) < len(texts)
            )
            shares.append(_share(f"{pair.left} → {pair.right}", right, total, 100.0))
    else:
        counts = Counter(normalise_text(r["text"], spec.case_sensitive) for r in responses if r)
        shares = [_share(text, count, total) for text, count in counts.most_common(8)]
    shares.append(_share(_("No answer"), blank, total))
    return shares
