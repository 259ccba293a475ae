"""Screenshots of each role's main pages at phone (375 px) and laptop (1280 px) width.

Usage: python scripts/screenshots.py [OUT_DIR]   (default docs/screenshots; `make screenshots`)

Builds a throwaway app on a fresh SQLite database (migrations, shipped content, demo data, in
Simplified Chinese), serves it on a local port, signs in as each demo user with Debian's Chromium
and saves `<role>-<page>-<width>.png` for the home page and the first menu links of the role,
plus the role-play chat on a phone. The images are palette PNGs, so the folder stays small.
"""

import shutil
import sys
import tempfile
import threading
from pathlib import Path

from flask import url_for
from flask_migrate import upgrade
from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from trainer import create_app
from trainer.accounts.demo import DEMO_USERS
from trainer.config import TestingConfig

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {375: (375, 812), 1280: (1280, 800)}
PAGES_PER_ROLE = 5  # home plus the first four menu links
COLOURS = 128


def build_app(workdir: Path):
    """A demo app on its own SQLite file: migrated, content synced, demo data seeded."""
    app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'shots.db'}")
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for args in (["content", "sync"], ["seed-demo"]):
            result = runner.invoke(args=args)
            if result.exit_code != 0:
                raise SystemExit(f"{' '.join(args)} failed:\n{result.output}")
    return app


def main_pages(app, role: str) -> list[tuple[str, str]]:
    """(name, path) of the role's home and first menu links, from the navigation registry."""
    items = sorted(
        (i for i in app.extensions["trainer_nav"] if role in i.roles), key=lambda i: i.order
    )
    with app.test_request_context():
        pages = [("home", "/")] + [
            (i.endpoint.replace(".", "-"), url_for(i.endpoint)) for i in items
        ]
    return pages[:PAGES_PER_ROLE]


def save_small(png: bytes, target: Path) -> None:
    """Write a screenshot as an optimised palette PNG."""
    raw = target.with_suffix(".raw.png")
    raw.write_bytes(png)
    with Image.open(raw) as image:
        image.convert("RGB").quantize(COLOURS).save(target, optimize=True)
    raw.unlink()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def shoot(app, base: str, out: Path) -> list[Path]:
    """Every role, every width, every main page; returns the files written."""
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for user in DEMO_USERS:
            role = user["role"]
            for width, viewport in WIDTHS.items():
                phone = width < 600
                context = browser.new_context(
                    viewport={"width": viewport[0], "height": viewport[1]},
                    is_mobile=phone,
                    has_touch=phone,
                    locale="zh-CN",
                    timezone_id="Asia/Shanghai",
                )
                page = context.new_page()
                sign_in(page, base, user["email"], user["password"])
                pages = main_pages(app, role)
                for name, path in pages:
                    response = page.goto(base + path)
                    if response is None or not response.ok:
                        raise SystemExit(f"{role} {path}: HTTP {response and response.status}")
                    target = out / f"{role}-{name}-{width}.png"
                    save_small(page.screenshot(), target)
                    written.append(target)
                if role == "agent" and phone:
                    page.goto(f"{base}/roleplay/")
                    page.locator("a[href^='/roleplay/scenarios/']").first.click()
                    page.click("[data-testid=rp-start]")
                    page.wait_for_url("**/roleplay/sessions/*")
                    target = out / f"agent-roleplay-chat-{width}.png"
                    save_small(page.screenshot(), target)
                    written.append(target)
                context.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            written = shoot(app, f"http://127.0.0.1:{server.server_port}", out)
        finally:
            server.shutdown()
            thread.join(timeout=5)
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots in {out} ({total // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
