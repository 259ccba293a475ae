"""The skills map (courses/skills.yaml): parse and validate it, with the line of every problem.

`parse_map(text)` checks the shape; `reference_problems(document, skill_map, catalogue)` checks
that every lesson, scenario, rubric item, bank category, policy rule and KPI it names exists;
`coverage_warnings` names skills measured but taught nowhere, or taught but never measured.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import Document, DocumentError, load_document

KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
REF = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9_-]*$")
TAUGHT = ("lessons", "scenarios")
MEASURED = ("rubric", "quiz_categories", "quiz_tags", "policies", "kpis")
LANGS = ("zh_CN", "en")


@dataclass(frozen=True)
class Skill:
    """One skill: names, what teaches it (lessons, scenarios) and what measures it."""

    key: str
    name: dict[str, str]
    description: dict[str, str]
    lessons: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    rubric: tuple[str, ...] = ()  # "scenario-slug/item-id"
    quiz_categories: tuple[str, ...] = ()
    quiz_tags: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()

    @property
    def taught(self) -> bool:
        return bool(self.lessons or self.scenarios)

    @property
    def measured(self) -> bool:
        return any(getattr(self, name) for name in MEASURED)


@dataclass(frozen=True)
class SkillMap:
    """All skills in file order, with reverse indexes from what measures them to skill keys."""

    skills: tuple[Skill, ...]
    by_rubric: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_policy: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_kpi: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_tag: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, key: str) -> Skill | None:
        """The skill with `key`, or None."""
        return next((s for s in self.skills if s.key == key), None)

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.skills]

    def skills_for_category(self, category: str) -> tuple[str, ...]:
        """Skills a question of `category` measures (a mapped category covers its children)."""
        return tuple(
            s.key
            for s in self.skills
            if any(category == c or category.startswith(c + "/") for c in s.quiz_categories)
        )

    @property
    def scenario_slugs(self) -> set[str]:
        """Every scenario the map names (as teaching or in a rubric reference)."""
        slugs = {slug for s in self.skills for slug in s.scenarios}
        return slugs | {ref.split("/", 1)[0] for s in self.skills for ref in s.rubric}

    @property
    def lesson_refs(self) -> set[str]:
        return {ref for s in self.skills for ref in s.lessons}


def _index(skills: tuple[Skill, ...], attribute: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for skill in skills:
        for value in getattr(skill, attribute):
            found.setdefault(value, []).append(skill.key)
    return {value: tuple(keys) for value, keys in found.items()}


def build_map(skills: list[Skill]) -> SkillMap:
    """A SkillMap with its reverse indexes."""
    items = tuple(skills)
    return SkillMap(
        skills=items,
        by_rubric=_index(items, "rubric"),
        by_policy=_index(items, "policies"),
        by_kpi=_index(items, "kpis"),
        by_tag=_index(items, "quiz_tags"),
    )


def _text_pair(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS
    )


class _Reader:
    """Collects shape problems while reading the document into Skills."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem.at(self.document.line(*path), message))

    def strings(self, raw: Any, path: tuple, pattern: re.Pattern | None = None) -> tuple:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(path, _("%(key)s: expected a list", key=".".join(map(str, path))))
            return ()
        values = []
        for i, value in enumerate(raw):
            if not isinstance(value, str) or (pattern and not pattern.match(value)):
                self.problem(
                    (*path, i),
                    _(
                        "%(key)s: %(value)s is not a valid reference",
                        key=".".join(map(str, path)),
                        value=str(value),
                    ),
                )
            elif value in values:
                self.problem((*path, i), _("%(value)s is listed twice", value=value))
            else:
                values.append(value)
        return tuple(values)

    def skill(self, raw: Any, i: int, seen: set[str]) -> Skill | None:
        path = ("skills", i)
        if not isinstance(raw, dict):
            self.problem(path, _("skills.%(i)d: expected a mapping", i=i))
            return None
        key = raw.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            self.problem((*path, "key"), _("skills.%(i)d.key: lower-case letters, digits, _", i=i))
            return None
        if key in seen:
            self.problem((*path, "key"), _("skill %(key)s is defined twice", key=key))
        seen.add(key)
        for name in ("name", "description"):
            if not _text_pair(raw.get(name)):
                self.problem(
                    (*path, name),
                    _("%(key)s.%(field)s: needs zh_CN and en text", key=key, field=name),
                )
        unknown = set(raw) - {"key", "name", "description", "taught_by", "measured_by"}
        for extra in sorted(unknown, key=str):
            self.problem(
                (*path, extra), _("%(key)s: unknown field %(field)s", key=key, field=str(extra))
            )
        parts: dict[str, tuple] = {}
        for group, names in (("taught_by", TAUGHT), ("measured_by", MEASURED)):
            block = raw.get(group) or {}
            if not isinstance(block, dict):
                self.problem(
                    (*path, group), _("%(key)s.%(group)s: expected a mapping", key=key, group=group)
                )
                continue
            for extra in sorted(set(block) - set(names), key=str):
                self.problem(
                    (*path, group, extra),
                    _("%(key)s: unknown field %(field)s", key=key, field=f"{group}.{extra}"),
                )
            for name in names:
                pattern = REF if name in ("lessons", "rubric") else None
                parts[name] = self.strings(block.get(name), (*path, group, name), pattern)
        return Skill(
            key=key,
            name=dict(raw.get("name") or {}),
            description=dict(raw.get("description") or {}),
            **parts,
        )


def load(text: str) -> Document:
    """The YAML document with lines; a syntax problem raises ProblemsError."""
    try:
        return load_document(text)
    except DocumentError as error:
        raise ProblemsError([Problem.at(error.line, error.message)]) from error


def read_map(document: Document) -> tuple[SkillMap, list[Problem]]:
    """The map and the shape problems of a loaded document."""
    reader = _Reader(document)
    data = document.data
    for line, key in document.duplicates:
        reader.problems.append(Problem.at(line, _("%(key)s appears twice", key=key)))
    if not isinstance(data, dict) or not isinstance(data.get("skills"), list):
        reader.problem((), _("the file needs a list under skills:"))
        return build_map([]), reader.problems
    seen: set[str] = set()
    skills = [reader.skill(raw, i, seen) for i, raw in enumerate(data["skills"])]
    return build_map([s for s in skills if s is not None]), reader.problems


def parse_map(text: str) -> SkillMap:
    """A valid map from YAML text, else ProblemsError (shape only; references: see below)."""
    skill_map, problems = read_map(load(text))
    if problems:
        raise ProblemsError(problems)
    return skill_map


@dataclass(frozen=True)
class Known:
    """What exists to be referred to: lessons, scenario rubric items, categories, policies, KPIs."""

    lessons: set[str] | None  # None: not known here (no files), so not checked
    rubric: dict[str, set[str]] | None  # scenario slug -> rubric item ids
    categories: set[str] | None
    policies: set[str] | None
    kpis: set[str] | None


def reference_problems(document: Document, skill_map: SkillMap, known: Known) -> list[Problem]:
    """A problem, at its line, for every reference to something that does not exist."""
    problems: list[Problem] = []
    positions = _positions(document)

    def report(skill: Skill, group: str, name: str, index: int, message: str) -> None:
        line = document.line("skills", positions.get(skill.key, 0), group, name, index)
        problems.append(Problem.at(line, message))

    for skill in skill_map.skills:
        checks = (
            (
                "taught_by",
                "lessons",
                known.lessons,
                lambda v, k: v in k,
                lambda v: _("no lesson %(ref)s in courses/", ref=v),
            ),
            (
                "taught_by",
                "scenarios",
                known.rubric,
                lambda v, k: v in k,
                lambda v: _("no scenario %(ref)s", ref=v),
            ),
            (
                "measured_by",
                "rubric",
                known.rubric,
                _rubric_known,
                lambda v: _("no rubric item %(ref)s", ref=v),
            ),
            (
                "measured_by",
                "quiz_categories",
                known.categories,
                _category_known,
                lambda v: _("no question category %(ref)s in the banks", ref=v),
            ),
            (
                "measured_by",
                "policies",
                known.policies,
                lambda v, k: v in k,
                lambda v: _("no policy rule %(ref)s in scenarios/_policy.yaml", ref=v),
            ),
            (
                "measured_by",
                "kpis",
                known.kpis,
                lambda v, k: v in k,
                lambda v: _("no agent KPI %(ref)s in the KPI catalogue", ref=v),
            ),
        )
        for group, name, pool, exists, message in checks:
            if pool is None:
                continue
            for index, value in enumerate(getattr(skill, name)):
                if not exists(value, pool):
                    report(skill, group, name, index, f"{skill.key}: {message(value)}")
    return problems


def _positions(document: Document) -> dict[str, int]:
    """Skill key -> its index in the file's list (for line numbers)."""
    positions: dict[str, int] = {}
    for i, raw in enumerate(document.data.get("skills") or []):
        if isinstance(raw, dict) and isinstance(raw.get("key"), str):
            positions.setdefault(raw["key"], i)
    return positions


def _rubric_known(ref: str, rubric: dict[str, set[str]]) -> bool:
    scenario, item = ref.split("/", 1)
    return item in rubric.get(scenario, set())


def _category_known(category: str, categories: set[str]) -> bool:
    return any(c == category or c.startswith(category + "/") for c in categories)


def coverage_warnings(document: Document, skill_map: SkillMap) -> list[Problem]:
    """Skills measured but taught nowhere, and skills taught but never measured."""
    warnings = []
    positions = _positions(document)
    for skill in skill_map.skills:
        line = document.line("skills", positions.get(skill.key, 0))
        if skill.measured and not skill.taught:
            warnings.append(
                Problem.at(line, _("skill %(key)s is measured but taught nowhere", key=skill.key))
            )
        if skill.taught and not skill.measured:
            warnings.append(
                Problem.at(line, _("skill %(key)s is taught but never measured", key=skill.key))
            )
    return warnings
