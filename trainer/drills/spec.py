"""Drill files (`scenarios/drills/<slug>.yaml`): parse, validate with line numbers, expand.

A drill names the scenarios its customers play, when each customer arrives (fixed times,
bursts, seeded random arrivals), how long a customer waits for a first reply before a
follow-up and before leaving, and how long the drill lasts. See docs/drills.md.
"""

import hashlib
import json
import random
import re
from dataclasses import dataclass

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import DocumentError, load_document

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_CUSTOMERS = 30
MAX_LENGTH = 3600
TARGET_SECONDS = 30
TOP_KEYS = {
    "slug",
    "title",
    "summary",
    "length",
    "target_seconds",
    "seed",
    "patience",
    "scenarios",
    "arrivals",
}
PATIENCE_KEYS = {"follow_up_after", "leave_after", "follow_up", "leave", "mood_drop"}
DEFAULT_PATIENCE = {
    "follow_up_after": 40,
    "leave_after": 120,
    "follow_up": "在吗？怎么还没人回复？",
    "leave": "等了这么久都没人理，我不买了。",
    "mood_drop": 15,
}


@dataclass(frozen=True)
class Arrival:
    """One customer of a drill: when (seconds after the start) and which scenario."""

    at: int
    scenario: str


class _Checker:
    """Collects problems against a loaded document."""

    def __init__(self, document) -> None:
        self.document = document
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        self.problems.append(Problem.at(self.document.line(*path), message))

    def number(self, value, path: tuple, low: int, high: int) -> int | None:
        """An integer in [low, high], else a problem and None."""
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            name = ".".join(str(p) for p in path)
            self.add(
                path,
                _(
                    "%(name)s: a whole number from %(low)d to %(high)d",
                    name=name,
                    low=low,
                    high=high,
                ),
            )
            return None
        return value

    def text(self, value, path: tuple) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, _("%(name)s: a non-empty text", name=".".join(str(p) for p in path)))
            return None
        return value.strip()

    def bilingual(self, value, path: tuple) -> dict | None:
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k), str) and value[k].strip() for k in ("zh_CN", "en")
        ):
            self.add(path, _("%(name)s: give both zh_CN and en texts", name=path[0]))
            return None
        return {"zh_CN": value["zh_CN"].strip(), "en": value["en"].strip()}


def parse_drill(text: str, expected_slug: str | None = None) -> dict:
    """The validated drill spec of a YAML text; ProblemsError with line-numbered problems."""
    try:
        document = load_document(text)
    except DocumentError as error:
        raise ProblemsError([Problem.at(error.line, error.message)]) from error
    check = _Checker(document)
    data = document.data
    if not isinstance(data, dict):
        raise ProblemsError(
            [Problem.at(1, _("a drill file is a mapping of keys (slug:, title: …)"))]
        )
    for line, key in document.duplicates:
        check.problems.append(Problem.at(line, _("%(key)s is given twice", key=key)))
    for key in data:
        if key not in TOP_KEYS:
            check.add((key,), _("unknown key %(key)s", key=key))
    for key in ("slug", "title", "length", "scenarios", "arrivals"):
        if key not in data:
            check.add((), _("%(key)s is missing", key=key))
    spec: dict = {}
    slug = data.get("slug")
    if "slug" in data:
        if not isinstance(slug, str) or not SLUG.match(slug):
            check.add(("slug",), _("slug: lowercase letters, digits and hyphens"))
        elif expected_slug and slug != expected_slug:
            check.add(
                ("slug",),
                _(
                    "slug %(slug)s differs from the file name %(name)s",
                    slug=slug,
                    name=expected_slug,
                ),
            )
    spec["slug"] = slug
    spec["title"] = check.bilingual(data.get("title"), ("title",)) if "title" in data else None
    spec["summary"] = (
        check.bilingual(data["summary"], ("summary",))
        if "summary" in data
        else {"zh_CN": "", "en": ""}
    )
    length = (
        check.number(data.get("length"), ("length",), 30, MAX_LENGTH) if "length" in data else None
    )
    spec["length"] = length
    spec["target_seconds"] = (
        check.number(data["target_seconds"], ("target_seconds",), 5, 600)
        if "target_seconds" in data
        else TARGET_SECONDS
    )
    spec["seed"] = check.number(data["seed"], ("seed",), 0, 2**31) if "seed" in data else 1
    spec["patience"] = _patience(check, data.get("patience", {}))
    spec["scenarios"] = _pool(check, data.get("scenarios", []))
    spec["arrivals"] = _arrivals(check, data.get("arrivals", []), length, bool(spec["scenarios"]))
    if not check.problems:
        count = len(expand_arrivals(spec))
        if count == 0:
            check.add(("arrivals",), _("the schedule brings no customer within the drill"))
        elif count > MAX_CUSTOMERS:
            check.add(
                ("arrivals",),
                _(
                    "the schedule brings %(n)d customers; at most %(max)d",
                    n=count,
                    max=MAX_CUSTOMERS,
                ),
            )
    if check.problems:
        raise ProblemsError(sorted(check.problems, key=lambda p: p.line))
    return spec


def _patience(check: _Checker, value) -> dict:
    patience = dict(DEFAULT_PATIENCE)
    if not isinstance(value, dict):
        check.add(("patience",), _("patience: a mapping (follow_up_after:, leave_after: …)"))
        return patience
    for key in value:
        if key not in PATIENCE_KEYS:
            check.add(("patience", key), _("unknown key %(key)s", key=f"patience.{key}"))
    for key in ("follow_up_after", "leave_after"):
        if key in value:
            patience[key] = check.number(value[key], ("patience", key), 1, MAX_LENGTH)
    if "mood_drop" in value:
        patience["mood_drop"] = check.number(value["mood_drop"], ("patience", "mood_drop"), 0, 100)
    for key in ("follow_up", "leave"):
        if key in value:
            patience[key] = check.text(value[key], ("patience", key))
    follow, leave = patience["follow_up_after"], patience["leave_after"]
    if follow is not None and leave is not None and follow >= leave:
        check.add(
            ("patience", "leave_after"),
            _("patience: leave_after must be later than follow_up_after"),
        )
    return patience


def _pool(check: _Checker, value) -> list[dict]:
    if not isinstance(value, list) or not value:
        check.add(("scenarios",), _("scenarios: a list of {scenario: slug, weight: n}"))
        return []
    pool = []
    for index, item in enumerate(value):
        path = ("scenarios", index)
        if isinstance(item, str):
            item = {"scenario": item}
        if not isinstance(item, dict) or not isinstance(item.get("scenario"), str):
            check.add(path, _("scenarios.%(i)d: give a scenario slug", i=index))
            continue
        weight = check.number(item.get("weight", 1), (*path, "weight"), 1, 1000)
        pool.append({"scenario": item["scenario"], "weight": weight or 1})
    return pool


def _arrivals(check: _Checker, value, length: int | None, have_pool: bool) -> list[dict]:
    if not isinstance(value, list) or not value:
        check.add(("arrivals",), _("arrivals: a list of at:, burst: or random: entries"))
        return []
    limit = length if length is not None else MAX_LENGTH
    result = []
    for index, item in enumerate(value):
        path = ("arrivals", index)
        kinds = [k for k in ("at", "burst", "random") if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            check.add(
                path, _("arrivals.%(i)d: give exactly one of at:, burst: or random:", i=index)
            )
            continue
        kind = kinds[0]
        scenario = item.get("scenario")
        if scenario is not None and not isinstance(scenario, str):
            check.add((*path, "scenario"), _("arrivals.%(i)d.scenario: a scenario slug", i=index))
            continue
        if scenario is None and not have_pool:
            continue
        if kind == "at":
            at = check.number(item["at"], (*path, "at"), 0, limit - 1)
            if at is not None:
                result.append({"at": at, "scenario": scenario})
        elif kind == "burst":
            burst = item["burst"]
            if not isinstance(burst, dict):
                check.add((*path, "burst"), _("burst: count:, within: and at: seconds"))
                continue
            bpath = (*path, "burst")
            at = check.number(burst.get("at"), (*bpath, "at"), 0, limit - 1)
            count = check.number(burst.get("count"), (*bpath, "count"), 1, MAX_CUSTOMERS)
            within = check.number(burst.get("within", 0), (*bpath, "within"), 0, MAX_LENGTH)
            if None in (at, count, within):
                continue
            if at + within >= limit:
                check.add(bpath, _("burst: at + within must end before the drill's length"))
                continue
            result.append(
                {"burst": {"at": at, "count": count, "within": within}, "scenario": scenario}
            )
        else:
            rate = item["random"]
            if not isinstance(rate, dict):
                check.add((*path, "random"), _("random: per_minute:, from: and until: seconds"))
                continue
            rpath = (*path, "random")
            per_minute = check.number(rate.get("per_minute"), (*rpath, "per_minute"), 1, 60)
            start = check.number(rate.get("from", 0), (*rpath, "from"), 0, limit - 1)
            until = check.number(rate.get("until", limit), (*rpath, "until"), 1, limit)
            if None in (per_minute, start, until):
                continue
            if until <= start:
                check.add(rpath, _("random: until must be later than from"))
                continue
            result.append(
                {
                    "random": {"per_minute": per_minute, "from": start, "until": until},
                    "scenario": scenario,
                }
            )
    return result


def expand_arrivals(spec: dict) -> list[Arrival]:
    """Every customer of the drill in arrival order; the same spec always gives the same list."""
    rng = random.Random(spec["seed"])
    pool = spec["scenarios"]
    slugs = [p["scenario"] for p in pool]
    weights = [p["weight"] for p in pool]

    def pick(fixed: str | None) -> str:
        return fixed or rng.choices(slugs, weights)[0]

    arrivals: list[Arrival] = []
    for entry in spec["arrivals"]:
        if "at" in entry:
            arrivals.append(Arrival(entry["at"], pick(entry["scenario"])))
        elif "burst" in entry:
            burst = entry["burst"]
            for n in range(burst["count"]):
                step = burst["within"] * n / max(1, burst["count"] - 1) if burst["count"] > 1 else 0
                arrivals.append(Arrival(burst["at"] + int(step), pick(entry["scenario"])))
        else:
            rate = entry["random"]
            moment = float(rate["from"])
            while len(arrivals) <= MAX_CUSTOMERS:
                moment += rng.expovariate(rate["per_minute"] / 60.0)
                if moment >= rate["until"]:
                    break
                arrivals.append(Arrival(int(moment), pick(entry["scenario"])))
    return sorted(arrivals, key=lambda a: a.at)


def scenario_slugs(spec: dict) -> set[str]:
    """Every scenario the drill may use."""
    named = {e["scenario"] for e in spec["arrivals"] if e.get("scenario")}
    return named | {p["scenario"] for p in spec["scenarios"]}


def scenario_line(text: str, slug: str) -> int:
    """The first line naming `slug` (for problems about a scenario reference)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if slug in line:
            return number
    return 1


def spec_digest(spec: dict) -> str:
    """A stable fingerprint of a spec (unchanged files load no new version)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
