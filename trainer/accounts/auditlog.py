"""Reading the audit log: who may see which entries, filters, entries in words, CSV export.

Admins see every entry. Managers see the entries about the people of their team (an agent's
grades, levels, account) and the entries they made themselves: enough to answer "who granted
this level and why" for their team, nothing about other teams (docs/audit-log.md).
"""

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import aliased

from trainer.accounts.models import User
from trainer.core import clock
from trainer.core.audit import AuditEvent
from trainer.core.audit_words import (
    GROUPS,
    Entry,
    action_label,
    changes,
    describe,
    field_label,
    subject_label,
    subject_type_label,
    value_text,
)
from trainer.core.auth import ADMIN, MANAGER
from trainer.core.csvcells import text_cell
from trainer.core.i18n import _
from trainer.extensions import db

PER_PAGE = 50
CSV_LIMIT = 20_000


@dataclass
class AuditFilters:
    """The filters of the audit page, checked; `problems` says what was ignored and why."""

    person: int | None = None
    kind: str = ""
    subject_type: str = ""
    subject_id: str = ""
    start: date | None = None
    end: date | None = None
    problems: list[str] = field(default_factory=list)

    def as_args(self) -> dict:
        """The filters as query-string arguments (for pagination and export links)."""
        args = {
            "person": self.person,
            "kind": self.kind,
            "type": self.subject_type,
            "object": self.subject_id,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }
        return {k: v for k, v in args.items() if v}


def _day(text: str, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(
            _("%(field)s: %(value)s is not a date like 2026-11-20.", field=label, value=text[:20])
        )
        return None


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Filters from the query string; bad values are dropped with a message, never a 500."""
    problems: list[str] = []
    person_text = (args.get("person") or "").strip()
    person = int(person_text) if person_text.isdigit() else None
    if person_text and person is None:
        problems.append(_("Person: choose someone from the list."))
    filters = AuditFilters(
        person=person,
        kind=(args.get("kind") or "").strip()[:80],
        subject_type=(args.get("type") or "").strip()[:40],
        subject_id=(args.get("object") or "").strip()[:64],
        start=_day(args.get("start") or "", _("From"), problems),
        end=_day(args.get("end") or "", _("To"), problems),
        problems=problems,
    )
    if filters.start and filters.end and filters.start > filters.end:
        filters.problems.append(_("The date range ends before it starts; it was swapped."))
        filters.start, filters.end = filters.end, filters.start
    return filters


def visible_people(viewer: User) -> list[User]:
    """The people whose entries the viewer may read (for the person filter)."""
    query = db.select(User).order_by(User.name)
    if viewer.role != ADMIN:
        query = query.where(db.or_(User.team_id == viewer.team_id, User.id == viewer.id))
    return list(db.session.scalars(query))


def _visible(query, viewer: User):
    """Limit a query on AuditEvent to what the viewer may read."""
    if viewer.role == ADMIN:
        return query
    if viewer.role != MANAGER or viewer.team_id is None:
        return query.where(AuditEvent.actor_id == viewer.id)
    member = aliased(User)
    team_ids = db.select(member.id).where(member.team_id == viewer.team_id)
    return query.where(
        db.or_(AuditEvent.subject_user_id.in_(team_ids), AuditEvent.actor_id == viewer.id)
    )


def filtered_query(viewer: User, filters: AuditFilters):
    """The viewer's entries matching the filters, newest first."""
    query = db.select(AuditEvent).options(
        db.joinedload(AuditEvent.actor), db.joinedload(AuditEvent.subject_user)
    )
    query = _visible(query, viewer)
    if filters.person:
        query = query.where(
            db.or_(
                AuditEvent.subject_user_id == filters.person,
                AuditEvent.actor_id == filters.person,
            )
        )
    if filters.kind in GROUPS:
        query = query.where(AuditEvent.action.in_(GROUPS[filters.kind]))
    elif filters.kind:
        query = query.where(AuditEvent.action == filters.kind)
    if filters.subject_type:
        query = query.where(AuditEvent.subject_type == filters.subject_type)
    if filters.subject_id:
        query = query.where(AuditEvent.subject_id == filters.subject_id)
    if filters.start:
        query = query.where(AuditEvent.at >= clock.day_bounds(filters.start)[0])
    if filters.end:
        query = query.where(AuditEvent.at < clock.day_bounds(filters.end)[1])
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def subject_types() -> list[tuple[str, str]]:
    """(key, name) of the kinds of record the log has entries about (for the object filter)."""
    query = db.select(AuditEvent.subject_type).distinct().order_by(AuditEvent.subject_type)
    return [(key, subject_type_label(key)) for key in db.session.scalars(query)]


@dataclass(frozen=True)
class Change:
    """One recorded field, before → after, as people read it."""

    key: str
    label: str | None  # the field's name; None: show the key as code
    before: str
    before_code: bool  # a stored key or record, shown as code
    after: str
    after_code: bool

    @property
    def name(self) -> str:
        return self.label or self.key

    @classmethod
    def of(cls, key: str, before, after) -> "Change":
        return cls(key, field_label(key), *value_text(before), *value_text(after))


@dataclass(frozen=True)
class AuditRow:
    """One entry as the page and the export show it."""

    event: AuditEvent
    sentence: str
    label: str
    changes: list[Change]
    raw: str  # pretty JSON, unescaped (ensure_ascii=False)
    subject: str = ""  # "Quiz #3": the record, named


def rows_of(events) -> list[AuditRow]:
    """Entries in words in the UI language, with changes before → after and raw details."""
    out = []
    for event in events:
        entry = Entry(
            event.action,
            event.actor,
            event.subject_user,
            event.subject_type,
            event.subject_id,
            event.data or {},
        )
        out.append(
            AuditRow(
                event=event,
                sentence=describe(entry),
                label=action_label(event.action),
                changes=[Change.of(k, b, a) for k, b, a in changes(entry)],
                raw=json.dumps(event.data or {}, ensure_ascii=False, indent=2, sort_keys=True),
                subject=subject_label(event.subject_type, event.subject_id),
            )
        )
    return out


def audit_csv(viewer: User, filters: AuditFilters) -> str:
    """The filtered entries as CSV (UTF-8 with BOM; times in ISO 8601 with the zone's offset)."""
    events = db.session.scalars(filtered_query(viewer, filters).limit(CSV_LIMIT)).unique()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "at",
            "actor",
            "actor_email",
            "action",
            "action_label",
            "subject_type",
            "subject_id",
            "person",
            "person_email",
            "description",
            "changes",
        ]
    )
    for row in rows_of(events):
        event = row.event
        writer.writerow(
            [
                clock.iso_local(event.at),
                text_cell(event.actor.name if event.actor else ""),
                text_cell(event.actor.email if event.actor else ""),
                event.action,
                text_cell(row.label),
                text_cell(event.subject_type),
                text_cell(event.subject_id),
                text_cell(event.subject_user.name if event.subject_user else ""),
                text_cell(event.subject_user.email if event.subject_user else ""),
                text_cell(row.sentence),
                text_cell("; ".join(f"{c.name}: {c.before} → {c.after}" for c in row.changes)),
            ]
        )
    return "\ufeff" + buffer.getvalue()
