"""Shipped content (courses, question banks, scenarios) as files: the check/sync registry.

Each feature registers a `ContentLoader`; `flask content check` runs every `check` and
`flask content sync` every `sync`, in `order` (courses before quizzes before scenarios).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from trainer.core.problems import Problem


@dataclass(frozen=True)
class ContentLoader:
    """How one feature checks and loads its files below the content root."""

    name: str
    check: Callable[[Path], list[Problem]]
    sync: Callable[[Path], dict[str, int]]
    order: int = 50
    # Advice that does not block a sync (e.g. a skill measured but taught nowhere).
    warn: Callable[[Path], list[Problem]] | None = None


def add_content_loader(app: Flask, loader: ContentLoader) -> None:
    """Register a feature's content loader."""
    app.extensions.setdefault("trainer_content", []).append(loader)


def content_loaders() -> list[ContentLoader]:
    """Registered loaders in load order."""
    return sorted(current_app.extensions.get("trainer_content", []), key=lambda c: c.order)


def check_content(root: Path) -> list[Problem]:
    """Every problem every loader finds below `root`."""
    problems: list[Problem] = []
    for loader in content_loaders():
        problems.extend(loader.check(root))
    return problems


def warn_content(root: Path) -> list[Problem]:
    """Every warning (advice, not an error) the loaders have about the files below `root`."""
    warnings: list[Problem] = []
    for loader in content_loaders():
        if loader.warn is not None:
            warnings.extend(loader.warn(root))
    return warnings


def sync_content(root: Path) -> dict[str, dict[str, int]]:
    """Load all content below `root` into the session (the caller commits once)."""
    return {loader.name: loader.sync(root) for loader in content_loaders()}


@dataclass(frozen=True)
class DemoSeeder:
    """A feature's part of `flask seed-demo`: adds demo data given the demo users."""

    name: str
    seed: Callable[[dict], None]
    order: int = 50


def add_demo_seeder(app: Flask, seeder: DemoSeeder) -> None:
    """Register a feature's demo data step."""
    app.extensions.setdefault("trainer_seeders", []).append(seeder)


def demo_seeders() -> list[DemoSeeder]:
    """Registered demo seeders in order."""
    return sorted(current_app.extensions.get("trainer_seeders", []), key=lambda s: s.order)
