"""What features register into the shell: header navigation, home page panels and the things
waiting for a person's action that their home page lists first."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from trainer.core.i18n import _l

# The staff menu's groups, in menu order (at most six, so it fits one line on a laptop).
PEOPLE, CONTENT, ASSESSMENT, PERFORMANCE, CERTIFICATION, SYSTEM = (
    "people",
    "content",
    "assessment",
    "performance",
    "certification",
    "system",
)
NAV_GROUPS = {
    PEOPLE: _l("People & teams"),
    CONTENT: _l("Content"),
    ASSESSMENT: _l("Assessment"),
    PERFORMANCE: _l("Performance"),
    CERTIFICATION: _l("Certification"),
    SYSTEM: _l("System"),
}
# A link registered without a group lands here: features added later are mostly training
# material (drills, skills), and the link stays reachable until its feature names a group.
DEFAULT_GROUP = CONTENT
# Agents have a handful of links and use a phone: their menu stays a flat list.
FLAT_NAV_ROLES = frozenset({"agent"})


@dataclass(frozen=True)
class NavItem:
    """A link in the header navigation, shown to the listed roles."""

    endpoint: str
    label: Any  # a lazy string (_l) so it follows the request's language
    roles: frozenset[str]
    order: int = 50
    group: str = DEFAULT_GROUP


@dataclass(frozen=True)
class NavGroup:
    """A menu group as one role sees it: its label and its links (one link shows bare)."""

    key: str
    label: Any
    items: list[NavItem]


@dataclass(frozen=True)
class HomeWidget:
    """A panel on a role's home page: a template and a function building its context."""

    template: str
    roles: frozenset[str]
    context: Callable[[Any], dict] = field(default=lambda user: {})
    order: int = 50


@dataclass(frozen=True)
class ActionItem:
    """One thing waiting for the user: a sentence with its count and the page that handles it."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class ActionSource:
    """A feature's function listing what waits for a user of the given roles."""

    roles: frozenset[str]
    collect: Callable[[Any], list[ActionItem]]
    order: int = 50


def add_nav(
    app: Flask,
    endpoint: str,
    label: Any,
    roles: set[str] | tuple,
    order: int = 50,
    group: str | None = None,
) -> None:
    """Add a header navigation link for the given roles, in a staff menu group (NAV_GROUPS)."""
    if group is not None and group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {group!r}; use one of {sorted(NAV_GROUPS)}")
    item = NavItem(endpoint, label, frozenset(roles), order, group or DEFAULT_GROUP)
    app.extensions["trainer_nav"].append(item)


def add_home_widget(
    app: Flask, template: str, roles: set[str] | tuple, context=None, order: int = 50
) -> None:
    """Add a panel to the home page of the given roles."""
    widget = HomeWidget(template, frozenset(roles), context or (lambda user: {}), order)
    app.extensions["trainer_home"].append(widget)


def add_action_source(
    app: Flask, roles: set[str] | tuple, collect: Callable[[Any], list[ActionItem]], order=50
) -> None:
    """Register what waits for a role's action; the home page lists it before its panels."""
    app.extensions.setdefault("trainer_actions", []).append(
        ActionSource(frozenset(roles), collect, order)
    )


def nav_for(user: Any) -> list[NavItem]:
    """Navigation links the user's role may follow."""
    if not user.is_authenticated:
        return []
    items = current_app.extensions["trainer_nav"]
    return sorted((i for i in items if user.role in i.roles), key=lambda i: i.order)


def nav_groups_for(user: Any) -> list[NavGroup]:
    """The user's links in menu groups (NAV_GROUPS order); one flat group for agents."""
    return _grouped(user, nav_for(user))


def _grouped(user: Any, items: list[NavItem]) -> list[NavGroup]:
    if not items:
        return []
    if user.role in FLAT_NAV_ROLES:
        return [NavGroup("", "", items)]
    return [
        NavGroup(key, label, grouped)
        for key, label in NAV_GROUPS.items()
        if (grouped := [i for i in items if i.group == key])
    ]


def home_widgets_for(user: Any) -> list[HomeWidget]:
    """Home page panels for the user's role."""
    widgets = current_app.extensions["trainer_home"]
    return sorted((w for w in widgets if user.role in w.roles), key=lambda w: w.order)


def actions_for(user: Any) -> list[ActionItem]:
    """What waits for the user's action, urgent first; sources with nothing waiting add nothing."""
    sources = current_app.extensions.get("trainer_actions", [])
    found = [
        item
        for source in sorted(sources, key=lambda s: s.order)
        if user.role in source.roles
        for item in source.collect(user)
        if item.count > 0
    ]
    return sorted(found, key=lambda item: not item.urgent)


def inject_nav() -> dict:
    """Template context: the header navigation for the current user."""
    user = current_user._get_current_object()  # noqa: SLF001 (one proxy lookup, not one per link)
    items = nav_for(user)
    return {"nav_items": items, "nav_groups": _grouped(user, items)}
