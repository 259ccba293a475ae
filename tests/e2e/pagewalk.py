"""Walk a role's pages in the browser, as the url map lists them, and measure what phones see.

Pages are found from the url map, not from a hand list: every GET rule the role may open without
arguments is a starting point, and rules with arguments are reached through the links those
pages show (a few per rule), so a page a feature adds later is walked without editing this file.
"""

from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def _script(name: str) -> str:
    return (Path(__file__).parent / "js" / name).read_text(encoding="utf-8")


# Downloads and machine endpoints: not pages a person reads.
SKIP_SUFFIXES = (".csv", ".pdf", ".json", ".yaml", ".zip", ".png", ".jpg", ".svg")
SKIP_ENDPOINTS = {"static", "courses.image", "accounts.logout", "core.healthz"}
PER_RULE = 2
MAX_PAGES = 80

# Every visible element that sticks out to the right of (or left of) the viewport, and the
# document's own scroll width; hidden elements (display none, sr-only clipping) are skipped.
OVERFLOW_JS = _script("overflow.js")

# Controls a thumb presses that are smaller than 44 × 44 CSS pixels (WCAG 2.5.5); links inside
# running text are exempt, as the guideline allows.
SMALL_TARGETS_JS = _script("small_targets.js")


def role_can_open(app, endpoint: str, role: str) -> bool:
    """Whether the view behind an endpoint admits the role (as `core.auth` declares it)."""
    access = getattr(app.view_functions.get(endpoint), "_access", None)
    return isinstance(access, frozenset | set) and role in access


def start_urls(app, role: str) -> list[str]:
    """The role's GET pages that need no arguments, straight from the url map."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIP_ENDPOINTS:
            continue
        if rule.rule.endswith(SKIP_SUFFIXES) or not role_can_open(app, rule.endpoint, role):
            continue
        urls.append(rule.rule)
    return sorted(urls)


def match_page(app, url: str, role: str) -> str | None:
    """The endpoint of a same-site link the role may open as a page, else None."""
    parts = urlsplit(url)
    if parts.path.endswith(SKIP_SUFFIXES):
        return None
    try:
        endpoint, _ = app.url_map.bind("localhost").match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    if endpoint in SKIP_ENDPOINTS or not role_can_open(app, endpoint, role):
        return None
    return endpoint


def walk(app, page, server_url: str, role: str, visit, extra: tuple[str, ...] = ()) -> dict:
    """Open the role's pages breadth-first; call `visit(url, endpoint)` on each HTML page.

    Returns {endpoint: [paths visited]} so callers can check what the walk covered.
    """
    queue = [*extra, *start_urls(app, role)]
    seen: set[str] = set()
    covered: dict[str, list[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        endpoint = match_page(app, path, role)
        if path in seen or endpoint is None or len(covered.get(endpoint, [])) >= PER_RULE:
            continue
        seen.add(path)
        response = page.goto(server_url + path)
        assert response is None or response.status < 500, f"{path}: HTTP {response.status}"
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        covered.setdefault(endpoint, []).append(path)
        visit(path, endpoint)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(server_url):
                link = urlsplit(href)
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return covered
