"""The course folder format (docs/content-format.md): names, limits, packages and hashes."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from trainer.core.i18n import _
from trainer.core.problems import Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,90}\.(png|jpe?g|gif|webp)$", re.IGNORECASE)
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
IMAGE_TYPES |= {"gif": "image/gif", "webp": "image/webp"}
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")
INLINE_CODE = re.compile(r"`[^`]*`")
CALLOUT_MARKER = re.compile(r"^:{3,}\s*(\S*)")

CATEGORIES = ("foundations", "platform", "after_sales", "live_peak", "complaints", "compliance")
LEVELS = ("L1", "L2", "L3")
LANGUAGES = ("zh_CN", "en")
# Path segments under /courses/ that are pages, not courses.
RESERVED_SLUGS = frozenset({"manage", "team", "images", "my", "new", "import", "preview"})
# Files in a course folder that belong to other features (the quizzes).
FOREIGN_FILES = frozenset({"questions.gift", "quiz.yaml"})
COURSE_KEYS = {"slug", "title", "summary", "category", "estimated_minutes", "prerequisites"}
COURSE_KEYS |= {"level", "require_reading"}
LESSON_KEYS = {"title", "minutes", "checks"}
CHECK_KEYS = {"question", "options", "answer", "explanation"}
BODY_MIN, BODY_MAX = 300, 1200  # shipped lessons: non-blank characters of the body
EDITOR_BODY_MAX = 20_000
MAX_CHECKS = 3
MAX_TITLE = 200


@dataclass
class LessonPackage:
    """A lesson as read from its file."""

    slug: str
    position: int
    title: dict[str, str]
    minutes: int
    body: str
    checks: list[dict[str, Any]]
    filename: str = ""

    @property
    def content_hash(self) -> str:
        """What a reader sees; a different hash means a new version (the position is not in it)."""
        return content_hash(self.title, self.minutes, self.body, self.checks)


@dataclass
class CoursePackage:
    """A course as read from its folder (or zip): metadata, lessons in order, image names."""

    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    category: str
    estimated_minutes: int
    prerequisites: list[str]
    level: str
    require_reading: bool = True  # a lesson completes only once its end was reached
    lessons: list[LessonPackage] = field(default_factory=list)
    image_names: set[str] = field(default_factory=set)
    label: str = ""  # display path of the folder, for problems
    prerequisites_line: int = 1

    @property
    def meta_hash(self) -> str:
        """Hash of course.yaml's content and the lesson order, to tell whether the folder's
        course-level content changed since the last sync."""
        meta = [self.title, self.summary, self.category, self.estimated_minutes]
        meta += [self.prerequisites, self.level, [lesson.slug for lesson in self.lessons]]
        if not self.require_reading:  # the default leaves the hash of earlier syncs as it was
            meta.append({"require_reading": False})
        return _sha(meta)


def _sha(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(title: dict, minutes: int, body: str, checks: list) -> str:
    """Hash of a lesson's visible content (body compared with normalised line ends)."""
    body = body.replace("\r\n", "\n").strip()
    return _sha({"title": title, "minutes": minutes, "body": body, "checks": checks})


def decode_text(data: bytes) -> str:
    """UTF-8 text (BOM and CRLF tolerated); raises UnicodeDecodeError otherwise."""
    return data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


def image_problem(src: str, image_names: set[str]) -> str | None:
    """Why an image reference cannot be shown, or None when it names an existing course image."""
    if "://" in src or src.startswith(("//", "data:", "/")):
        return _("Images must be files of the course: write images/NAME.png.")
    if not src.startswith("images/") or not IMAGE_NAME.match(src.removeprefix("images/")):
        return _("Images must be files of the course: write images/NAME.png.")
    if src.removeprefix("images/") not in image_names:
        return _("Image %(src)s does not exist in the course.", src=src)
    return None


def int_between(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def prerequisite_problems(packages: list[CoursePackage], known: set[str]) -> list[Problem]:
    """Prerequisites that name no course in `known`, and prerequisite cycles."""
    problems = []
    for package in packages:
        missing = [slug for slug in package.prerequisites if slug not in known]
        for slug in missing:
            problems.append(
                Problem(
                    f"{package.label}/course.yaml",
                    package.prerequisites_line,
                    _("Prerequisite %(slug)s is not a course.", slug=slug),
                )
            )
    graph = {p.slug: p.prerequisites for p in packages}
    for package in packages:
        cycle = find_cycle(package.slug, graph)
        if cycle:
            problems.append(
                Problem(
                    f"{package.label}/course.yaml",
                    package.prerequisites_line,
                    _("Prerequisites form a cycle: %(cycle)s.", cycle=" → ".join(cycle)),
                )
            )
    return problems


def find_cycle(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """A path start → … → start through the prerequisite graph, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
