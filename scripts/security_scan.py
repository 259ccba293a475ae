"""Scan a local Trainer with wapiti (non-destructive modules) and sqlmap (level 2, risk 1).

Usage: python scripts/security_scan.py [--scanners /path/to/venv/bin] [--out DIR]
Needs `wapiti` and `sqlmap` on PATH (or in --scanners): `pip install wapiti3 sqlmap` into a
separate virtualenv. The script builds a throwaway SQLite instance with the demo data, serves it
with the project's gunicorn settings, signs in as each demo role and scans with that session.
Reports go to --out (default bench/results/security/, ignored by git); docs/security.md records
the findings of the last run.
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
LOGINS = {
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
    "trainer": ("trainer@demo.trainer", "Teach-Well-2026"),
    "admin": ("admin@demo.trainer", "Keep-Safe-2026"),
}
WAPITI_MODULES = (
    "xss,permanentxss,sql,timesql,crlf,redirect,file,ssrf,csrf,http_headers,cookieflags,csp"
)
# GET pages with query parameters, per role, for sqlmap.
SQLMAP_URLS = {
    "manager": [
        "/scorecards/team?q=a&status=all&sort=name&dir=asc&period=month",
        "/admin/audit?action=a&page=1",
        "/courses/team/progress?status=overdue&course=1",
    ],
    "trainer": [
        "/quizzes/bank/?q=a&category=a&type=single",
        "/roleplay/review/?status=pending&scenario=a&page=1",
    ],
}


def flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "trainer", *args], env=env, check=True)


def sign_in(role: str) -> str:
    """The session cookie of a demo user, as `name=value`."""
    email, password = LOGINS[role]
    with httpx.Client(base_url=BASE, follow_redirects=False) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": email, "password": password})
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scanners", default="", help="folder holding wapiti and sqlmap")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "security"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tool = lambda name: str(Path(args.scanners) / name) if args.scanners else name  # noqa: E731
    work = Path(tempfile.mkdtemp(prefix="trainer-scan-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'scan.db'}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TRAINER_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "1",
        "TRAINER_ACCESS_LOG": str(work / "access.log"),
        # The scanners send many requests from one address.
        "TRAINER_LOGIN_RATE_LIMIT_IP": "100000 per minute",
        "TRAINER_LOGIN_RATE_LIMIT_ACCOUNT": "100000 per minute",
    }
    flask(env, "db", "upgrade")
    flask(env, "content", "sync")
    flask(env, "seed-demo")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(60):
            try:
                httpx.get(f"{BASE}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        for role in LOGINS:
            cookie = sign_in(role)
            subprocess.run(
                [
                    tool("wapiti"),
                    "-u",
                    f"{BASE}/",
                    "-C",
                    cookie,
                    "-m",
                    WAPITI_MODULES,
                    "--scope",
                    "folder",
                    "-x",
                    f"{BASE}/logout",
                    "-x",
                    f"{BASE}/account/password",
                    "--max-scan-time",
                    "600",
                    "--flush-session",
                    "-f",
                    "json",
                    "-o",
                    str(out / f"wapiti-{role}.json"),
                ],
                check=False,
            )
            for url in SQLMAP_URLS.get(role, []):
                cookie = sign_in(role)
                subprocess.run(
                    [
                        tool("sqlmap"),
                        "-u",
                        BASE + url,
                        "--cookie",
                        cookie,
                        "--level",
                        "2",
                        "--risk",
                        "1",
                        "--batch",
                        "--smart",
                        "--output-dir",
                        str(out / "sqlmap"),
                        "--skip-static",
                    ],
                    check=False,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"reports in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
