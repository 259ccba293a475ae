"""Checks shared by course.yaml and lesson files, and the lesson-file checks themselves."""

from typing import Any

from trainer.core.i18n import _
from trainer.core.markdown import CALLOUTS
from trainer.core.problems import Problem
from trainer.core.yamlsafe import Document, DocumentError, load_document, split_front_matter
from trainer.courses.fileformat import (
    BODY_MAX,
    BODY_MIN,
    CALLOUT_MARKER,
    CHECK_KEYS,
    EDITOR_BODY_MAX,
    HTML_TAG,
    IMAGE_LINK,
    INLINE_CODE,
    LANGUAGES,
    LESSON_KEYS,
    MAX_CHECKS,
    MAX_TITLE,
    LessonPackage,
    decode_text,
    image_problem,
    int_between,
)


class Checker:
    """Collects problems (file, line, message) instead of stopping at the first one."""

    def __init__(self, label: str, *, strict: bool) -> None:
        self.label = label
        self.strict = strict  # shipped content: lesson length and 1-3 checks enforced
        self.problems: list[Problem] = []

    def problem(self, name: str, line: int, message: str) -> None:
        self.problems.append(Problem(f"{self.label}/{name}" if self.label else name, line, message))

    def bilingual(
        self, name: str, doc: Document, meta: dict, key: str, limit: int
    ) -> dict[str, str]:
        """A {zh_CN, en} text: both languages present, non-empty, not too long."""
        value = meta.get(key)
        if key not in meta:
            return {}
        if not isinstance(value, dict):
            self.problem(name, doc.line(key), _("%(field)s needs zh_CN and en texts.", field=key))
            return {}
        self._unknown_keys(name, doc, value, set(LANGUAGES), (key,))
        result = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(
                    name,
                    doc.line(key, lang),
                    _("%(field)s has no %(lang)s text.", field=key, lang=lang),
                )
            elif len(text) > limit:
                self.problem(
                    name,
                    doc.line(key, lang),
                    _("%(field)s is longer than %(n)d characters.", field=key, n=limit),
                )
            else:
                result[lang] = text.strip()
        return result

    def _unknown_keys(self, name: str, doc: Document, meta: dict, known: set, path: tuple) -> None:
        for key in meta:
            if key not in known:
                self.problem(
                    name,
                    doc.line(*path, key),
                    _(
                        "Unknown field %(field)s (expected: %(known)s).",
                        field=key,
                        known=", ".join(sorted(known)),
                    ),
                )

    def _load_yaml(self, name: str, data: bytes) -> Document | None:
        try:
            return load_document(decode_text(data))
        except UnicodeDecodeError:
            self.problem(name, 1, _("The file is not UTF-8 text."))
        except DocumentError as error:
            self.problem(name, error.line, _("Invalid YAML: %(detail)s", detail=error.message))
        return None


class LessonChecker(Checker):
    """Lesson files: front matter (title, minutes, checks) and the Markdown body."""

    def parse_lesson(
        self, name: str, data: bytes, slug: str, position: int, image_names: set[str]
    ) -> LessonPackage | None:
        """One lesson file: front matter, then the Markdown body."""
        try:
            text = decode_text(data)
            front, front_line, body, body_line = split_front_matter(text)
        except UnicodeDecodeError:
            self.problem(name, 1, _("The file is not UTF-8 text."))
            return None
        except DocumentError as error:
            self.problem(name, error.line, _("The front matter opened on line 1 is never closed."))
            return None
        if front is None:
            self.problem(name, 1, _("The lesson must start with front matter between --- lines."))
            return None
        before = len(self.problems)
        lesson = self.lesson_fields(name, front, front_line - 1, slug, position)
        self.check_body(name, body, body_line, image_names)
        if lesson is None or len(self.problems) > before:
            return None
        lesson.body = body.strip() + "\n"
        return lesson

    def lesson_fields(
        self, name: str, front: str, offset: int, slug: str, position: int
    ) -> LessonPackage | None:
        """title, minutes and checks from the front matter."""
        try:
            doc = load_document(front, offset)
        except DocumentError as error:
            self.problem(name, error.line, _("Invalid YAML: %(detail)s", detail=error.message))
            return None
        meta = doc.data
        if not isinstance(meta, dict):
            self.problem(
                name, offset + 1, _("The front matter must be a mapping (title, minutes, checks).")
            )
            return None
        before = len(self.problems)
        self._unknown_keys(name, doc, meta, LESSON_KEYS, ())
        for key in ("title", "minutes"):
            if key not in meta:
                self.problem(name, offset + 1, _("Required field %(field)s is missing.", field=key))
        title = self.bilingual(name, doc, meta, "title", MAX_TITLE)
        minutes = meta.get("minutes")
        if "minutes" in meta and not int_between(minutes, 1, 120):
            self.problem(
                name, doc.line("minutes"), _("minutes must be a whole number from 1 to 120.")
            )
        checks = self.knowledge_checks(name, doc, meta.get("checks"))
        if len(self.problems) > before:
            return None
        return LessonPackage(slug, position, title, minutes, "", checks, filename=name)

    def knowledge_checks(self, name: str, doc: Document, value: Any) -> list[dict[str, Any]]:
        """1-3 checks (0-3 outside shipped content), each with a valid 0-based answer."""
        if value is None:
            value = []
        if not isinstance(value, list):
            self.problem(name, doc.line("checks"), _("checks must be a list of questions."))
            return []
        low = 1 if self.strict else 0
        if not low <= len(value) <= MAX_CHECKS:
            self.problem(
                name,
                doc.line("checks"),
                _("A lesson has %(low)d to %(high)d knowledge checks.", low=low, high=MAX_CHECKS),
            )
        return [c for i, item in enumerate(value) if (c := self._check(name, doc, i, item))]

    def _check(self, name: str, doc: Document, i: int, item: Any) -> dict[str, Any] | None:
        path = ("checks", i)
        if not isinstance(item, dict):
            self.problem(
                name, doc.line(*path), _("A check has question, options, answer and explanation.")
            )
            return None
        before = len(self.problems)
        self._unknown_keys(name, doc, item, CHECK_KEYS, path)
        for key in ("question", "explanation"):
            text = item.get(key)
            if not isinstance(text, str) or not text.strip():
                self.problem(
                    name, doc.line(*path, key), _("The check needs a %(field)s.", field=key)
                )
        options = item.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 6:
            self.problem(name, doc.line(*path, "options"), _("A check has 2 to 6 options."))
            options = []
        options = [str(o).strip() if isinstance(o, str | int | float) else "" for o in options]
        for index, option in enumerate(options):
            if not option:
                self.problem(
                    name, doc.line(*path, "options", index), _("An option is empty or not text.")
                )
        answer = item.get("answer")
        if options and not int_between(answer, 0, len(options) - 1):
            self.problem(
                name,
                doc.line(*path, "answer"),
                _(
                    "answer is the 0-based index of the correct option: 0 to %(last)d here.",
                    last=len(options) - 1,
                ),
            )
        if len(self.problems) > before:
            return None
        return {
            "question": item["question"].strip(),
            "options": options,
            "answer": answer,
            "explanation": item["explanation"].strip(),
        }

    def check_body(self, name: str, body: str, first_line: int, image_names: set[str]) -> None:
        """Callouts balanced, images present, no raw HTML, and (shipped) a sensible length."""
        counted = 0
        open_callout: tuple[int, str] | None = None
        fence = False
        lines = body.split("\n")
        # A length problem is shown on the body's first line of text.
        text_line = next((n for n, raw in enumerate(lines, first_line) if raw.strip()), first_line)
        for number, raw in enumerate(lines, start=first_line):
            stripped = raw.strip()
            if stripped.startswith(("```", "~~~")):
                fence = not fence
            if fence or stripped.startswith(("```", "~~~")):
                counted += sum(1 for ch in raw if not ch.isspace())
                continue
            marker = CALLOUT_MARKER.match(stripped)
            if marker:
                open_callout = self._callout_marker(name, number, marker.group(1), open_callout)
                continue
            counted += sum(1 for ch in raw if not ch.isspace())
            self._check_line(name, number, raw, image_names)
        if open_callout is not None:
            self.problem(
                name,
                open_callout[0],
                _(
                    "The ::: %(kind)s callout is never closed (add a line :::).",
                    kind=open_callout[1],
                ),
            )
        if self.strict and not BODY_MIN <= counted <= BODY_MAX:
            self.problem(
                name,
                text_line,
                _(
                    "The lesson text has %(n)d characters; a lesson has %(low)d to %(high)d.",
                    n=counted,
                    low=BODY_MIN,
                    high=BODY_MAX,
                ),
            )
        elif not self.strict and not 1 <= counted <= EDITOR_BODY_MAX:
            self.problem(name, text_line, _("The lesson text is empty or too long."))

    def _callout_marker(
        self, name: str, number: int, kind: str, open_callout: tuple[int, str] | None
    ) -> tuple[int, str] | None:
        if not kind:
            if open_callout is None:
                self.problem(name, number, _("This ::: closes no open callout."))
            return None
        if kind not in CALLOUTS:
            self.problem(
                name,
                number,
                _("Unknown callout %(kind)s: use policy, good, bad or tip.", kind=kind),
            )
        if open_callout is not None:
            self.problem(
                name,
                number,
                _(
                    "A callout starts inside the one opened on line %(line)d; close that first.",
                    line=open_callout[0],
                ),
            )
        return (number, kind)

    def _check_line(self, name: str, number: int, raw: str, image_names: set[str]) -> None:
        for src in IMAGE_LINK.findall(raw):
            problem = image_problem(src, image_names)
            if problem:
                self.problem(name, number, problem)
        tags = dict.fromkeys(
            m.group(1).lower() for m in HTML_TAG.finditer(INLINE_CODE.sub("", raw))
        )
        for tag in tags:
            self.problem(
                name,
                number,
                _("Raw HTML <%(tag)s> is not allowed; use Markdown.", tag=tag),
            )
