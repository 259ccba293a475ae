"""Daily reminders: each feature registers the ones it knows about (`add_reminder`); the
daily job runs them all. Each reminder is said once (its `once` key), however often it runs."""

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from trainer.core.jobs import org_local_time

Reminder = Callable[[datetime], int]


def local_day(moment: datetime) -> str:
    """The org-zone date as yyyy-mm-dd (read the same in both languages)."""
    return org_local_time(moment).date().isoformat()


def add_reminder(app: Flask, name: str, reminder: Reminder) -> None:
    """Register `reminder(now) -> how many were told` under `name`."""
    app.extensions.setdefault("trainer_reminders", {})[name] = reminder


def run_all(now: datetime) -> dict[str, int]:
    """Every registered daily reminder; returns how many were told of each."""
    registered = current_app.extensions.get("trainer_reminders", {})
    return {name: reminder(now) for name, reminder in registered.items()}
