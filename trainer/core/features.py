"""What features register into the shell: header navigation links and home page panels."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    """A link in the header navigation, shown to the listed roles."""

    endpoint: str
    label: Any  # a lazy string (_l) so it follows the request's language
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class HomeWidget:
    """A panel on a role's home page: a template and a function building its context."""

    template: str
    roles: frozenset[str]
    context: Callable[[Any], dict] = field(default=lambda user: {})
    order: int = 50


def add_nav(
    app: Flask, endpoint: str, label: Any, roles: set[str] | tuple, order: int = 50
) -> None:
    """Add a header navigation link for the given roles."""
    app.extensions["trainer_nav"].append(NavItem(endpoint, label, frozenset(roles), order))


def add_home_widget(
    app: Flask, template: str, roles: set[str] | tuple, context=None, order: int = 50
) -> None:
    """Add a panel to the home page of the given roles."""
    widget = HomeWidget(template, frozenset(roles), context or (lambda user: {}), order)
    app.extensions["trainer_home"].append(widget)


def nav_for(user: Any) -> list[NavItem]:
    """Navigation links the user's role may follow."""
    if not user.is_authenticated:
        return []
    items = current_app.extensions["trainer_nav"]
    return sorted((i for i in items if user.role in i.roles), key=lambda i: i.order)


def home_widgets_for(user: Any) -> list[HomeWidget]:
    """Home page panels for the user's role."""
    widgets = current_app.extensions["trainer_home"]
    return sorted((w for w in widgets if user.role in w.roles), key=lambda w: w.order)


def inject_nav() -> dict:
    """Template context: the header navigation for the current user."""
    return {"nav_items": nav_for(current_user)}
