"""Importing daily KPI records: CSV checks, whole file or nothing, upserts, upload page, CLI."""

import io
from datetime import date

import pytest

from trainer.core.audit import AuditEvent
from trainer.extensions import db
from trainer.scorecards import records
from trainer.scorecards.models import KpiRecord, TeamKpiRecord

HEADER = (
    "date,agent_email,conversations,first_response_seconds,response_rate,resolution_rate,"
    "csat,csat_responses,repeat_contact_rate,qa_score\n"
)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def _count(model=KpiRecord) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.fixture
def agents(make_user, make_team):
    """Two agents in one team."""
    team = make_team("Hangzhou live room")
    return (
        make_user("agent", email="li@example.org", team=team),
        make_user("agent", email="wang@example.org", team=team),
    )


def test_valid_file_imports_every_row(app, agents, frozen_today):
    data = _csv(
        "2026-11-18,li@example.org,120,28.5,99.2,97.0,4.6,40,7.5,91",
        "2026-11-18,WANG@example.org,95,41,97.5%,93,4.3,,9.0,",
        "2026-11-19,li@example.org,130,26,99.5,98.2,4.7,45,6.0,",
    )
    result = records.import_csv(data, actor=None)
    db.session.commit()
    assert (result.created, result.updated) == (3, 0)
    assert (result.first_day, result.last_day) == (date(2026, 11, 18), date(2026, 11, 19))
    wang = db.session.scalar(db.select(KpiRecord).where(KpiRecord.agent_id == agents[1].id))
    assert wang.response_rate == 97.5  # "97.5%" accepted
    assert wang.csat_responses is None and wang.qa_score is None  # empty cells are "no figure"
    assert _count() == 3


def test_malformed_rows_are_reported_by_line_and_nothing_is_written(
    app, agents, frozen_today, english
):
    data = _csv(
        "2026-11-18,li@example.org,120,28.5,99.2,97.0,4.6,40,7.5,91",
        "18/11/2026,li@example.org,120,,,,,,,",  # line 3: bad date
        "2026-11-18,wang@example.org,lots,,,,,,,",  # line 4: not a number
        "2026-11-18,wang@example.org,10,,,,6.5,,,",  # line 5: CSAT out of range
        "2026-11-17,wang@example.org,10.5,,,,,,,",  # line 6: not whole
        "2026-11-25,wang@example.org,10,,,,,,,",  # line 7: in the future
        "2026-11-16,wang@example.org,10,,,,,,,,extra",  # line 8: too many values
    )
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(data, actor=None)
    by_line = {e.row: e.message for e in caught.value.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert "2026-11-20" in by_line[3] or "date" in by_line[3]
    assert "lots" in by_line[4]
    assert "csat" in by_line[5]
    assert "whole number" in by_line[6]
    assert "future" in by_line[7]
    db.session.rollback()
    assert _count() == 0


def test_unknown_agents_are_named(app, agents, frozen_today):
    data = _csv(
        "2026-11-18,li@example.org,120,,,,,,,",
        "2026-11-18,ghost@example.org,50,,,,,,,",
        "2026-11-19,ghost@example.org,50,,,,,,,",
    )
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(data, actor=None)
    assert caught.value.unknown == ["ghost@example.org"]
    assert [e.row for e in caught.value.errors] == [3, 4]
    db.session.rollback()
    assert _count() == 0


def test_non_agents_are_refused_as_unknown_agents(app, make_user, frozen_today, english):
    manager = make_user("manager", email="boss@example.org")
    data = _csv(f"2026-11-18,{manager.email},10,,,,,,,", "2026-11-18,nobody@example.org,10,,,,,,,")
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(data, actor=None)
    # Staff and missing accounts read the same: nothing tells who has an account.
    messages = [e.message for e in caught.value.errors]
    assert messages == ["Unknown agent boss@example.org.", "Unknown agent nobody@example.org."]
    assert sorted(caught.value.unknown) == ["boss@example.org", "nobody@example.org"]


def test_duplicates_within_a_file_point_at_the_first_row(app, agents, frozen_today, english):
    data = _csv("2026-11-18,li@example.org,120,,,,,,,", "2026-11-18,li@example.org,121,,,,,,,")
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(data, actor=None)
    (error,) = caught.value.errors
    assert error.row == 3 and "row 2" in error.message


def test_reimporting_a_day_replaces_it(app, agents, frozen_today):
    records.import_csv(_csv("2026-11-18,li@example.org,120,30,99,97,4.6,40,7.5,91"), actor=None)
    db.session.commit()
    result = records.import_csv(
        _csv("2026-11-18,li@example.org,60,,,,4.1,,,", "2026-11-19,li@example.org,70,,,,,,,"),
        actor=None,
    )
    db.session.commit()
    assert (result.created, result.updated) == (1, 1)
    db.session.expire_all()
    day = db.session.scalar(db.select(KpiRecord).where(KpiRecord.day == date(2026, 11, 18)))
    assert day.conversations == 60 and day.csat == 4.1
    assert day.first_response_seconds is None  # the whole day is replaced, not merged
    assert _count() == 2


def test_header_problems(app, agents, english):
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(b"date,agent,conversations\n2026-11-18,x,1\n", actor=None)
    assert caught.value.errors[0].row == 1
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(_csv("", header=HEADER.replace("qa_score", "qa_scroe")), actor=None)
    assert any("qa_scroe" in e.message for e in caught.value.errors)
    with pytest.raises(records.ImportRejected):
        records.import_csv(b"", actor=None)
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(HEADER.encode(), actor=None)
    assert "no rows" in caught.value.errors[0].message


def test_excel_encodings(app, agents, frozen_today):
    text = HEADER + "2026-11-18,li@example.org,10,,,,,,,\n"
    records.import_csv(("\ufeff" + text).encode("utf-8"), actor=None)  # UTF-8 with BOM
    records.import_csv(text.replace("2026-11-18", "2026-11-17").encode("gb18030"), actor=None)
    db.session.commit()
    assert _count() == 2


def test_team_file(app, agents, frozen_today, english):
    data = _csv(
        "2026-11-18,Hangzhou live room,12.5,4.8", header="date,team,cost_saving_rate,churn_rate\n"
    )
    records.import_csv(data, actor=None)
    db.session.commit()
    assert _count(TeamKpiRecord) == 1
    with pytest.raises(records.ImportRejected) as caught:
        records.import_csv(
            _csv("2026-11-18,Nowhere,1,1", header="date,team,cost_saving_rate,churn_rate\n"),
            actor=None,
        )
    assert "Unknown team" in caught.value.errors[0].message


def test_import_is_audited(app, agents, frozen_today, make_user):
    admin = make_user("admin")
    records.import_csv(_csv("2026-11-18,li@example.org,10,,,,,,,"), actor=admin, label="day.csv")
    db.session.commit()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "kpi.import"))
    assert event.actor_id == admin.id
    assert event.data["after"] == {"created": 1, "updated": 0}
    assert event.data["label"] == "day.csv"


# ---------------------------------------------------------------- upload page and CLI


def test_admin_uploads_a_file(app, login_as, agents, frozen_today):
    client, _admin = login_as("admin")
    data = {"file": (io.BytesIO(_csv("2026-11-18,li@example.org,10,,,,4.5,,,")), "day.csv")}
    response = client.post("/admin/kpi/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'data-testid="import-result"' in response.get_data(as_text=True)
    assert _count() == 1


def test_upload_errors_are_shown_and_nothing_lands(app, login_as, agents, frozen_today):
    client, _admin = login_as("admin")
    bad = _csv("2026-11-18,li@example.org,10,,,,,,,", "2026-11-18,nobody@example.org,5,,,,,,,")
    response = client.post(
        "/admin/kpi/import",
        data={"file": (io.BytesIO(bad), "day.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Row 3" in body and "nobody@example.org" in body
    assert _count() == 0


def test_manager_uploads_only_for_their_team(app, login_as, agents, make_user, frozen_today):
    outsider = make_user("agent", email="other@example.org")
    client, manager = login_as("manager", team=agents[0].team)
    data = _csv("2026-11-18,li@example.org,10,,,,,,,", f"2026-11-18,{outsider.email},10,,,,,,,")
    response = client.post(
        "/admin/kpi/import",
        data={"file": (io.BytesIO(data), "day.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert "not in your team" in response.get_data(as_text=True)
    assert _count() == 0


def test_sample_files_import_cleanly(app, runner, make_user, make_team, frozen_today):
    """The documented sample files are valid (given their agents and team exist)."""
    from trainer.config import ROOT

    team = make_team("华东直播客服组")
    for email in ("li.xiaomei@example.com", "wang.fang@example.com", "zhang.wei@example.com"):
        make_user("agent", email=email, team=team)
    for name in ("kpi-records-sample.csv", "team-kpi-sample.csv"):
        result = runner.invoke(args=["kpi", "import", str(ROOT / "docs" / "samples" / name)])
        assert result.exit_code == 0, result.output
    assert _count() > 0 and _count(TeamKpiRecord) > 0


def test_cli_reports_line_numbers_and_exits_non_zero(app, runner, agents, tmp_path, frozen_today):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        _csv("2026-11-18,li@example.org,10,,,,,,,", "2026-11-18,li@example.org,x,,,,,,,")
    )
    result = runner.invoke(args=["kpi", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}:3:" in result.output
    assert _count() == 0


def test_cli_dry_run_writes_nothing(app, runner, agents, tmp_path, frozen_today):
    path = tmp_path / "ok.csv"
    path.write_bytes(_csv("2026-11-18,li@example.org,10,,,,,,,"))
    result = runner.invoke(args=["kpi", "import", "--dry-run", str(path)])
    assert result.exit_code == 0 and "1 rows would be written" in result.output
    assert _count() == 0
    result = runner.invoke(args=["kpi", "import", str(path)])
    assert "imported 1 rows" in result.output
    assert _count() == 1


@pytest.mark.parametrize("data", [b"\r\x00", b"agent_email,day\r\x00x", b"\x00"])
def test_a_broken_header_line_is_a_problem_not_a_500(app, make_user, data):
    from trainer.scorecards import records

    with pytest.raises(records.ImportRejected) as info:
        records.import_csv(data, actor=make_user("admin"))
    assert info.value.errors[0].line == 1
