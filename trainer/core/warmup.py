"""Work a server process does once when it starts, instead of inside its first users' requests.

A gunicorn worker serves many threads at once: right after it starts, every thread that renders
a page finds the Jinja cache empty and compiles the same templates again (20 users opening the
home page compiled its eight templates twenty times over in each worker). `gunicorn.conf.py`
calls `warm_up` once per worker, before the worker accepts its first connection.
"""

import logging

from flask import Flask

log = logging.getLogger(__name__)


def compile_templates(app: Flask) -> int:
    """Compile every template into the Jinja cache (kept for the process); how many there were."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith(".html")]
    capacity = getattr(env.cache, "capacity", None)
    if capacity is not None and len(names) > capacity:
        # More templates than the cache holds: compiling them all would evict the first ones.
        log.warning("%d templates, Jinja cache of %d: none compiled ahead", len(names), capacity)
        return 0
    for name in names:
        env.get_template(name)
    return len(names)


def warm_up(app: Flask) -> None:
    """Everything a fresh worker prepares before serving."""
    compiled = compile_templates(app)
    log.debug("warm-up: %d templates compiled", compiled)
