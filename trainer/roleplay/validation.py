"""Measure the grader on a banded validation set (`flask roleplay validate DIR`).

Each DIR/*.json file holds a transcript, its expert band (1-5), whether it breaches policy, the
expected item scores and, for a manipulated copy, its clean `twin`. Reported: Spearman(band,
total), QWK per rubric item, critical recall, false criticals, the manipulation check.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.roleplay.grading import grade_transcript
from trainer.roleplay.metrics import exact_agreement, quadratic_weighted_kappa, spearman
from trainer.roleplay.scenarios import scale_bounds
from trainer.roleplay.transcript_files import TranscriptError, parse_transcript

CASE_KEYS = {"scenario", "band", "critical", "breaches", "kind", "items", "twin", "why"}


class ValidationInputError(ValueError):
    """A validation file or directory that cannot be used; the message names the file."""


@dataclass
class Case:
    """One validation file, parsed."""

    name: str
    scenario: str
    band: int
    critical: bool
    items: dict[str, int]
    twin: str | None
    lines: list
    kinds: list[str] = field(default_factory=list)


def load_case(path: Path) -> Case:
    """Parse one file; ValidationInputError with the file name when it is malformed."""
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationInputError(f"{name}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise ValidationInputError(f"{name}: must be a JSON object")
    missing = {"scenario", "band", "transcript"} - set(data)
    if missing:
        raise ValidationInputError(f"{name}: missing key(s) {', '.join(sorted(missing))}")
    band = data["band"]
    if isinstance(band, bool) or not isinstance(band, int) or not 1 <= band <= 5:
        raise ValidationInputError(f"{name}: 'band' must be a whole number from 1 to 5")
    if not isinstance(data["scenario"], str) or not data["scenario"]:
        raise ValidationInputError(f"{name}: 'scenario' must be a scenario slug")
    items = data.get("items") or {}
    if not isinstance(items, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in items.values()
    ):
        raise ValidationInputError(f"{name}: 'items' must map item ids to whole numbers")
    try:
        lines = parse_transcript(json.dumps(data["transcript"], ensure_ascii=False, indent=0))
    except TranscriptError as error:
        raise ValidationInputError(f"{name}: transcript: {error}") from error
    kinds = data.get("kind") or []
    return Case(
        name=path.stem,
        scenario=data["scenario"],
        band=band,
        critical=bool(data.get("critical")),
        items=items,
        twin=data.get("twin") or None,
        lines=lines,
        kinds=list(kinds) if isinstance(kinds, list) else [str(kinds)],
    )


def load_cases(directory: Path) -> list[Case]:
    """Every *.json file of the directory, sorted by name."""
    if not directory.is_dir():
        raise ValidationInputError(f"{directory}: no such directory")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ValidationInputError(f"{directory}: no *.json files")
    return [load_case(path) for path in files]


def validate(
    cases: list[Case], spec_for: Callable[[str], dict], judge: str = "offline"
) -> dict[str, Any]:
    """Grade every case and compute the agreement figures."""
    rows, specs = [], {}
    for case in cases:
        if case.scenario not in specs:
            specs[case.scenario] = spec_for(case.scenario)
        grade = grade_transcript(specs[case.scenario], case.lines, judge=judge)
        rows.append(
            {
                "file": case.name,
                "scenario": case.scenario,
                "band": case.band,
                "total": grade.total,
                "critical_expected": case.critical,
                "critical_failed": grade.critical_failed,
                "breaches": grade.as_dict()["breaches"],
                "flagged": any(f.get("code") == "manipulation" for f in grade.flags),
                "twin": case.twin,
                "judge": grade.judge,
                "items": {i["id"]: i["score"] for i in grade.items},
                "expected_items": case.items,
                "scales": {i["id"]: i["scale"] for i in grade.items},
            }
        )
    return _summary(rows)


def _summary(rows: list[dict]) -> dict[str, Any]:
    by_name = {row["file"]: row for row in rows}
    critical = [row for row in rows if row["critical_expected"]]
    missed = [row["file"] for row in critical if not row["critical_failed"]]
    false = [row["file"] for row in rows if row["critical_failed"] and not row["critical_expected"]]
    manipulation = []
    for row in rows:
        if row["twin"]:
            twin = by_name.get(row["twin"])
            ok = twin is not None and row["total"] <= twin["total"] and row["flagged"]
            row["manipulation_ok"] = ok
            manipulation.append({"file": row["file"], "twin": row["twin"], "ok": ok})
    pairs: dict[tuple[str, Any], list[tuple[int, int]]] = {}
    for row in rows:
        for item_id, expected in row["expected_items"].items():
            got, scale = row["items"].get(item_id), row["scales"].get(item_id)
            if got is not None and scale is not None:
                pairs.setdefault((item_id, scale), []).append((got, expected))
    items = {}
    for (item_id, scale), values in sorted(pairs.items(), key=lambda kv: str(kv[0])):
        low, high = scale_bounds(scale)
        clipped = [(g, min(max(e, low), high)) for g, e in values]
        items[item_id if item_id not in items else f"{item_id}@{scale}"] = {
            "scale": scale,
            "pairs": len(values),
            "exact": exact_agreement(clipped),
            "qwk": quadratic_weighted_kappa(clipped, low, high),
        }
    rho = spearman([r["band"] for r in rows], [r["total"] for r in rows]) if rows else None
    return {
        "files": len(rows),
        "spearman": rho,
        "critical": {
            "expected": len(critical),
            "caught": len(critical) - len(missed),
            "recall": (len(critical) - len(missed)) / len(critical) if critical else None,
            "missed": missed,
        },
        "false_critical": {"count": len(false), "files": false},
        "manipulation": manipulation,
        "items": items,
        "rows": [
            {k: v for k, v in row.items() if k not in ("expected_items", "scales", "items")}
            for row in rows
        ],
        "ok": not missed and not false,
    }


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def format_text(report: dict[str, Any]) -> str:
    """The report as plain text (English: CLI output)."""
    crit = report["critical"]
    out = [
        f"files: {report['files']}",
        f"Spearman(band, total): {_num(report['spearman'])}",
        f"critical recall: {crit['caught']}/{crit['expected']} ({_num(crit['recall'])})"
        + (f"  missed: {', '.join(crit['missed'])}" if crit["missed"] else ""),
        f"false criticals: {report['false_critical']['count']}"
        + (
            f"  ({', '.join(report['false_critical']['files'])})"
            if report["false_critical"]["count"]
            else ""
        ),
    ]
    for check in report["manipulation"]:
        state = "ok" if check["ok"] else "FAILED (scored above its twin or not flagged)"
        out.append(f"manipulation {check['file']} vs {check['twin']}: {state}")
    out.append("")
    out.append(f"{'item':<28} {'scale':>5} {'pairs':>5} {'exact':>6} {'QWK':>6}")
    for item_id, stats in report["items"].items():
        out.append(
            f"{item_id:<28} {stats['scale']!s:>5} {stats['pairs']:>5} "
            f"{_num(stats['exact']):>6} {_num(stats['qwk']):>6}"
        )
    out.append("")
    out.append(f"{'file':<40} {'band':>4} {'total':>6} {'critical':>9}  breaches")
    for row in report["rows"]:
        mark = f"{int(row['critical_expected'])}/{int(row['critical_failed'])}"
        breaches = ", ".join(f"{b['policy']}@{b['turn']}" for b in row["breaches"])
        out.append(f"{row['file']:<40} {row['band']:>4} {row['total']:>6.1f} {mark:>9}  {breaches}")
    return "\n".join(out)
