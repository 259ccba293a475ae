"""A course folder's files (course.yaml + NN-<lesson>.md + images/) into a `CoursePackage`.

The same parser serves `flask content check|sync` and zip import in the browser, so both
accept exactly the same files.
"""

from typing import Any

from trainer.core.i18n import _
from trainer.core.yamlsafe import Document
from trainer.courses.checker import LessonChecker
from trainer.courses.fileformat import (
    CATEGORIES,
    COURSE_KEYS,
    FOREIGN_FILES,
    IMAGE_NAME,
    LESSON_FILE,
    LEVELS,
    MAX_TITLE,
    RESERVED_SLUGS,
    SLUG,
    CoursePackage,
    LessonPackage,
    int_between,
)


class CourseParser(LessonChecker):
    """Reads one course folder's files; `strict` applies the shipped-content rules."""

    def parse(
        self, texts: dict[str, bytes], image_names: set[str], folder_slug: str | None
    ) -> CoursePackage | None:
        """The course in `texts` (file name → bytes); None when course.yaml is unusable."""
        for name in sorted(image_names):
            if not IMAGE_NAME.match(name):
                self.problem(
                    f"images/{name}",
                    1,
                    _("Images must be PNG, JPEG, GIF or WebP files with a simple name."),
                )
        if "course.yaml" not in texts:
            self.problem("course.yaml", 1, _("The course folder has no course.yaml."))
            return None
        course = self.parse_course_yaml(texts["course.yaml"], folder_slug)
        lessons = self.parse_lessons(texts, {n for n in image_names if IMAGE_NAME.match(n)})
        if course is None:
            return None
        course.lessons = lessons
        course.image_names = set(image_names)
        if not lessons and not any(LESSON_FILE.match(n) for n in texts):
            self.problem("course.yaml", 1, _("The course has no lesson files (NN-lesson.md)."))
        return course

    def parse_lessons(self, texts: dict[str, bytes], image_names: set[str]) -> list[LessonPackage]:
        """Every NN-<lesson>.md in order; misnamed .md files and duplicates are problems."""
        lessons: list[LessonPackage] = []
        numbers: dict[str, str] = {}
        slugs: dict[str, str] = {}
        for name in sorted(texts):
            if name == "course.yaml" or name in FOREIGN_FILES or not name.endswith(".md"):
                continue
            match = LESSON_FILE.match(name)
            if not match:
                self.problem(
                    name,
                    1,
                    _(
                        "Lesson files are named NN-lesson-key.md: two digits, a hyphen, then "
                        "lowercase letters, digits and hyphens."
                    ),
                )
                continue
            number, slug = match.groups()
            if number in numbers:
                self.problem(
                    name,
                    1,
                    _("Number %(n)s is also used by %(other)s.", n=number, other=numbers[number]),
                )
            if slug in slugs:
                self.problem(
                    name,
                    1,
                    _("Lesson key %(key)s is also used by %(other)s.", key=slug, other=slugs[slug]),
                )
            if len(slug) > 64:
                self.problem(name, 1, _("The lesson key is longer than 64 characters."))
            numbers.setdefault(number, name)
            slugs.setdefault(slug, name)
            lesson = self.parse_lesson(name, texts[name], slug, len(lessons) + 1, image_names)
            if lesson is not None:
                lessons.append(lesson)
        return lessons

    def parse_course_yaml(self, data: bytes, folder_slug: str | None) -> CoursePackage | None:
        """course.yaml's fields, checked."""
        name = "course.yaml"
        doc = self._load_yaml(name, data)
        if doc is None:
            return None
        meta = doc.data
        if not isinstance(meta, dict):
            self.problem(name, 1, _("course.yaml must be a mapping of fields (slug, title, …)."))
            return None
        before = len(self.problems)
        self._unknown_keys(name, doc, meta, COURSE_KEYS, ())
        for key in ("slug", "title", "summary", "category", "estimated_minutes", "level"):
            if key not in meta:
                self.problem(name, 1, _("Required field %(field)s is missing.", field=key))
        slug = meta.get("slug")
        if "slug" in meta:
            self._check_slug(name, doc.line("slug"), slug, folder_slug)
        title = self.bilingual(name, doc, meta, "title", MAX_TITLE)
        summary = self.bilingual(name, doc, meta, "summary", 1000)
        category = meta.get("category")
        if "category" in meta and category not in CATEGORIES:
            self.problem(
                name,
                doc.line("category"),
                _("Category must be one of: %(values)s.", values=", ".join(CATEGORIES)),
            )
        minutes = meta.get("estimated_minutes")
        if "estimated_minutes" in meta and not int_between(minutes, 1, 1000):
            self.problem(
                name,
                doc.line("estimated_minutes"),
                _("estimated_minutes must be a whole number from 1 to 1000."),
            )
        level = meta.get("level")
        if "level" in meta and level not in LEVELS:
            self.problem(
                name, doc.line("level"), _("Level must be one of: %(values)s.", values="L1, L2, L3")
            )
        prerequisites = self._prerequisites(name, doc, meta.get("prerequisites", []), slug)
        require_reading = meta.get("require_reading", True)
        if not isinstance(require_reading, bool):
            self.problem(
                name, doc.line("require_reading"), _("require_reading must be true or false.")
            )
        if len(self.problems) > before:
            return None
        return CoursePackage(
            slug=slug,
            title=title,
            summary=summary,
            category=category,
            estimated_minutes=minutes,
            prerequisites=prerequisites,
            level=level,
            require_reading=require_reading,
            label=self.label,
            prerequisites_line=doc.line("prerequisites"),
        )

    def _check_slug(self, name: str, line: int, slug: Any, folder_slug: str | None) -> None:
        if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 64:
            self.problem(
                name,
                line,
                _("The slug uses lowercase letters, digits and single hyphens (at most 64)."),
            )
        elif slug in RESERVED_SLUGS:
            self.problem(name, line, _("The slug %(slug)s is reserved; choose another.", slug=slug))
        elif folder_slug is not None and slug != folder_slug:
            self.problem(
                name,
                line,
                _(
                    "The slug %(slug)s differs from the folder name %(folder)s.",
                    slug=slug,
                    folder=folder_slug,
                ),
            )

    def _prerequisites(self, name: str, doc: Document, value: Any, slug: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                name, doc.line("prerequisites"), _("prerequisites must be a list of course slugs.")
            )
            return []
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not SLUG.match(item):
                self.problem(
                    name,
                    doc.line("prerequisites", index),
                    _("A prerequisite must be a course slug."),
                )
            elif item == slug:
                self.problem(
                    name,
                    doc.line("prerequisites", index),
                    _("A course cannot be its own prerequisite."),
                )
            elif item not in result:
                result.append(item)
        return result
