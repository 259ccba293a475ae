"""Scan a local Trainer with wapiti (non-destructive modules) and sqlmap (level 2, risk 1).

Usage: python scripts/security_scan.py [--scanners /path/to/venv/bin] [--out DIR]
                                        [--minutes N] [--roles agent,trainer,…]
Needs `wapiti` and `sqlmap` on PATH (or in --scanners): `pip install wapiti3 sqlmap` into a
separate virtualenv. The script builds a throwaway SQLite instance with the demo data, serves it
with the project's gunicorn settings, signs in as each demo role and scans with that session.

Bounded so it finishes on a loaded machine: wapiti starts from a short list of pages per role,
crawls two links deep, and stops after --minutes per role (each attack module after a quarter of
that); timesql and ssrf are left out (slow, and ssrf needs an outside endpoint). Reports go to
--out (default bench/results/security/, ignored by git); the script prints every finding and
exits 1 if there is any. docs/security.md records the last run.
"""

import argparse
import json
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
PORT = int(os.environ.get("TRAINER_SCAN_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
LOGINS = {
    "agent": ("agent@demo.trainer", "Learn-2-Serve-2026"),
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
    "trainer": ("trainer@demo.trainer", "Teach-Well-2026"),
    "admin": ("admin@demo.trainer", "Keep-Safe-2026"),
}
WAPITI_MODULES = "xss,permanentxss,sql,crlf,redirect,file,exec,csrf,http_headers,cookieflags,csp"
# Where wapiti starts, per role: the pages with forms and query parameters of that role.
START_PAGES = {
    "agent": ["/", "/courses/", "/quizzes/", "/quizzes/history", "/roleplay/", "/appeals/mine"],
    "trainer": ["/", "/quizzes/bank/", "/quizzes/manage/", "/courses/manage/", "/roleplay/manage/"],
    "manager": ["/", "/scorecards/team", "/courses/team/progress", "/audit", "/certification/"],
    "admin": ["/", "/admin/users", "/admin/ai-server/", "/audit", "/notifications/settings"],
}
# Never followed: they would end the scanner's session or lock its account.
EXCLUDED = ["/logout", "/account/*", "/admin/users/*"]
# GET pages with query parameters, per role, for sqlmap.
SQLMAP_URLS = {
    "manager": [
        "/scorecards/team?q=a&status=all&sort=name&dir=asc&period=month",
        "/audit?kind=a&person=1&page=1&since=2026-01-01",
        "/courses/team/progress?status=overdue&course=1",
    ],
    "trainer": [
        "/quizzes/bank/?q=a&category=a&type=single",
        "/roleplay/review/?status=pending&scenario=a&page=1",
    ],
    "agent": ["/roleplay/?category=logistics&difficulty=1"],
}


def flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "trainer", *args], env=env, check=True)


def _cookies(response: httpx.Response, jar: dict[str, str]) -> None:
    """Keep every cookie the server sets, Secure ones too (the scan runs on plain HTTP)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def sign_in(role: str) -> str:
    """The session cookie of a demo user, as `name=value`."""
    email, password = LOGINS[role]
    jar: dict[str, str] = {}
    with httpx.Client(base_url=BASE, follow_redirects=False) as client:
        page = client.get("/login")
        _cookies(page, jar)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        data = {"csrf_token": token, "email": email, "password": password}
        response = client.post("/login", data=data, headers=header)
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {role}: HTTP {response.status_code}")
        _cookies(response, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def wapiti(tool, role: str, out: Path, minutes: float) -> list[dict]:
    """One bounded wapiti run as `role`; its findings."""
    report = out / f"wapiti-{role}.json"
    command = [tool("wapiti"), "-u", f"{BASE}/", "-C", sign_in(role), "-m", WAPITI_MODULES]
    for page in START_PAGES[role]:
        command += ["-s", BASE + page]
    for path in EXCLUDED:
        command += ["-x", BASE + path]
    command += ["--scope", "folder", "-d", "2", "--max-links-per-page", "30"]
    command += ["--max-files-per-dir", "20", "--max-parameters", "12", "--tasks", "4"]
    command += ["--max-scan-time", str(minutes * 60), "--max-attack-time", str(minutes * 15)]
    command += ["--flush-session", "--no-bugreport", "-f", "json", "-o", str(report)]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    if not report.exists():
        return [{"scanner": "wapiti", "role": role, "category": "no report written"}]
    data = json.loads(report.read_text(encoding="utf-8"))
    findings = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in (data.get(section) or {}).items():
            for item in items:
                findings.append({"scanner": "wapiti", "role": role, "category": category, **item})
    crawled = data.get("infos", {}).get("crawled_pages_nbr") or len(data.get("crawled_pages", []))
    print(f"wapiti {role}: {crawled} pages crawled, {len(findings)} findings")
    return findings


def sqlmap(tool, role: str, out: Path) -> list[dict]:
    """sqlmap (level 2, risk 1) on the role's pages with query parameters; injectable ones."""
    findings = []
    for url in SQLMAP_URLS.get(role, []):
        result = subprocess.run(
            [tool("sqlmap"), "-u", BASE + url, "--cookie", sign_in(role), "--level", "2"]
            + ["--risk", "1", "--batch", "--smart", "--skip-static", "--flush-session"]
            + ["--output-dir", str(out / "sqlmap")],
            check=False,
            capture_output=True,
            text=True,
        )
        (out / "sqlmap" / f"{role}-{len(findings)}-{abs(hash(url))}.log").write_text(
            result.stdout, encoding="utf-8"
        )
        injectable = re.findall(
            r"parameter '([^']+)' (?:is|might be) [^\n]*injectable", result.stdout
        )
        print(f"sqlmap {role} {url}: {'INJECTABLE ' + str(injectable) if injectable else 'clean'}")
        findings += [
            {"scanner": "sqlmap", "role": role, "url": url, "parameter": p} for p in injectable
        ]
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scanners", default="", help="folder holding wapiti and sqlmap")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "security"))
    parser.add_argument("--minutes", type=float, default=4.0, help="wapiti time per role")
    parser.add_argument("--roles", default=",".join(LOGINS), help="roles to scan as")
    args = parser.parse_args()
    out = Path(args.out)
    (out / "sqlmap").mkdir(parents=True, exist_ok=True)
    tool = lambda name: str(Path(args.scanners) / name) if args.scanners else name  # noqa: E731
    work = Path(tempfile.mkdtemp(prefix="trainer-scan-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'scan.db'}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TRAINER_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "1",
        "TRAINER_ACCESS_LOG": str(work / "access.log"),
        "TRAINER_INSTANCE_PATH": str(work / "instance"),
        # Scanned as production runs (README): Secure __Host- cookies and HSTS.
        "TRAINER_SECURE_COOKIES": "1",
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
    findings: list[dict] = []
    try:
        for _ in range(60):
            try:
                httpx.get(f"{BASE}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        for role in args.roles.split(","):
            findings += wapiti(tool, role, out, args.minutes)
            findings += sqlmap(tool, role, out)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = (work / "access.log").read_text(encoding="utf-8", errors="replace")
    server_errors = len(re.findall(r'" 50[0-9] ', errors))
    print(f"responses with a 5xx status during the scan: {server_errors}")
    (out / "findings.json").write_text(json.dumps(findings, indent=1, ensure_ascii=False))
    for finding in findings:
        print("FINDING", json.dumps(finding, ensure_ascii=False)[:300])
    print(f"{len(findings)} findings; reports in {out}")
    return 1 if findings or server_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
