"""`flask content check|sync` for courses: the folders below <content root>/courses/."""

from pathlib import Path

from trainer.core.problems import Problem
from trainer.courses.apply import sync_packages
from trainer.courses.fileformat import FOREIGN_FILES, CoursePackage, prerequisite_problems
from trainer.courses.images import content_type_for, image_problem
from trainer.courses.parser import CourseParser


def course_folders(root: Path) -> list[Path]:
    """Every course folder below root/courses (hidden folders skipped)."""
    base = Path(root) / "courses"
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_folder(folder: Path) -> tuple[dict[str, bytes], set[str]]:
    """(course.yaml and .md files by name → bytes, image file names in images/)."""
    texts = {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.name not in FOREIGN_FILES
        and (p.name == "course.yaml" or p.suffix == ".md")
    }
    images_dir = folder / "images"
    images = (
        {p.name for p in images_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
        if images_dir.is_dir()
        else set()
    )
    return texts, images


def load_packages(root: Path) -> tuple[list[CoursePackage], list[Problem]]:
    """All course folders parsed and checked (shipped-content rules), with every problem."""
    packages, problems = [], []
    folders = course_folders(root)
    for folder in folders:
        parser = CourseParser(f"courses/{folder.name}", strict=True)
        texts, images = read_folder(folder)
        package = parser.parse(texts, images, folder.name)
        problems.extend(parser.problems)
        problems.extend(image_file_problems(folder, images))
        if package is not None:
            packages.append(package)
    # A folder whose course.yaml failed still names a course: no second, misleading problem.
    known = {p.slug for p in packages} | {f.name for f in folders}
    problems.extend(prerequisite_problems(packages, known))
    return packages, problems


def image_file_problems(folder: Path, names: set[str]) -> list[Problem]:
    """Shipped image files that are not real, acceptable images (a text file renamed .png)."""
    problems = []
    for name in sorted(names):
        if content_type_for(name) is None:
            continue  # not an image name: lessons cannot refer to it (the parser says so)
        problem = image_problem(name, (folder / "images" / name).read_bytes())
        if problem:
            problems.append(Problem(f"courses/{folder.name}/images/{name}", 1, problem))
    return problems


def check_courses(root: Path) -> list[Problem]:
    """Problems in the course folders (empty when all is well)."""
    return load_packages(root)[1]


def sync_courses(root: Path) -> dict[str, int]:
    """Load the course folders into the session (the CLI commits); refuses invalid content."""
    packages, problems = load_packages(root)
    if problems:
        raise ValueError(f"{len(problems)} problem(s) in the course files")
    return sync_packages(packages).as_dict()
