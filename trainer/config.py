"""Settings read from the environment, with safe local defaults (12-factor)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("TRAINER_INSTANCE_PATH", ROOT / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (never committed)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        # Heroku-style URLs name the old driver; psycopg 3 is the one installed.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    INSTANCE.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE / 'trainer.db'}"


def _number(name: str, default: float, kind: type = int) -> float:
    """A numeric setting from the environment; unset or empty means the default."""
    raw = os.environ.get(name)
    return kind(raw) if raw not in (None, "") else default


def _roleplay_settings() -> dict:
    """Role-play settings; the defaults suit a small team."""
    return {
        "ROLEPLAY_ENGINE": os.environ.get("TRAINER_ROLEPLAY_ENGINE") or "auto",  # scripted|openai
        "ROLEPLAY_JUDGE": os.environ.get("TRAINER_ROLEPLAY_JUDGE") or "auto",  # offline | llm
        "ROLEPLAY_LLM_TIMEOUT": _number("TRAINER_LLM_TIMEOUT", 30.0, float),
        "ROLEPLAY_LLM_MAX_RETRIES": _number("TRAINER_LLM_MAX_RETRIES", 2),
        # A grader's claim on a session expires after this many seconds (it died; another may
        # grade).
        "ROLEPLAY_GRADING_LEASE": _number("TRAINER_ROLEPLAY_GRADING_LEASE", 600),
        # Recent turns the customer engine reads (its state is stored, not replayed).
        "ROLEPLAY_HISTORY_TURNS": _number("TRAINER_ROLEPLAY_HISTORY_TURNS", 24),
        "ROLEPLAY_MAX_MESSAGE_CHARS": _number("TRAINER_ROLEPLAY_MAX_MESSAGE_CHARS", 500),
        "ROLEPLAY_TURNS_PER_MINUTE": _number("TRAINER_ROLEPLAY_TURNS_PER_MINUTE", 12),
        "ROLEPLAY_MAX_REPLY_TOKENS": _number("TRAINER_ROLEPLAY_MAX_REPLY_TOKENS", 300),
        "ROLEPLAY_MAX_REPLY_CHARS": _number("TRAINER_ROLEPLAY_MAX_REPLY_CHARS", 400),
        "ROLEPLAY_DAILY_TOKENS": _number("TRAINER_ROLEPLAY_DAILY_TOKENS", 60000),
        # Organisation-wide daily AI tokens until an admin sets a limit (0: no organisation limit).
        "ROLEPLAY_ORG_DAILY_TOKENS": _number("TRAINER_ROLEPLAY_ORG_DAILY_TOKENS", 0),
        # The scripted customer "types" its reply in small pieces, so streaming shows offline too.
        "ROLEPLAY_SCRIPTED_DELAY": _number("TRAINER_ROLEPLAY_SCRIPTED_DELAY", 0.03, float),
    }


def _queue_url() -> str:
    if url := os.environ.get("TRAINER_QUEUE_URL"):
        return url
    INSTANCE.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE / 'queue.db'}"


class Config:
    """Production-safe defaults; everything secret or site-specific comes from the environment."""

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SECURE_COOKIES = _flag("TRAINER_SECURE_COOKIES")
        self.SESSION_COOKIE_SECURE = self.SECURE_COOKIES
        # The __Host- prefix pins the cookie to this host and path; browsers accept it only
        # over HTTPS.
        self.SESSION_COOKIE_NAME = "__Host-session" if self.SECURE_COOKIES else "trainer_session"
        self.OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY") or None
        self.OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL") or None
        self.TRAINER_LLM_MODEL = os.environ.get("TRAINER_LLM_MODEL", "gpt-4o-mini")
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        # Redis down: throttle per process (in memory) until it answers again, never fail a login.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.CONTENT_ROOT = Path(os.environ.get("TRAINER_CONTENT_ROOT", ROOT))
        self.CLI_LOCALE = os.environ.get("TRAINER_CLI_LOCALE", "en")
        # The organisation's time zone: every calendar day (KPI day, due date, expiry, period)
        # is a day in this zone (trainer.core.clock); Babel shows times in it too.
        self.TRAINER_TIMEZONE = os.environ.get("TRAINER_TIMEZONE", "").strip() or "Asia/Shanghai"
        self.BABEL_DEFAULT_TIMEZONE = self.TRAINER_TIMEZONE
        # Behind a proxy or in a load test many users share one address; make the limits tunable.
        self.LOGIN_RATE_LIMIT_IP = os.environ.get("TRAINER_LOGIN_RATE_LIMIT_IP", "30 per minute")
        self.LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get(
            "TRAINER_LOGIN_RATE_LIMIT_ACCOUNT", "5 per minute"
        )
        # Seconds after the deadline that quiz saves are still accepted (Moodle's default: 60 s).
        self.QUIZ_GRACE_SECONDS = _number("TRAINER_QUIZ_GRACE_SECONDS", 60)
        for name, value in _roleplay_settings().items():
            setattr(self, name, value)
        # Background jobs (trainer/core/jobs.py): a SQLite file by default, Redis in production.
        self.TRAINER_QUEUE_URL = _queue_url()
        self.TRAINER_QUEUE_NAME = os.environ.get("TRAINER_QUEUE_NAME", "trainer")
        self.TRAINER_QUEUE_IMMEDIATE = False
        # The organisation's zone: daily jobs run at these local times ("HH:MM").
        self.TRAINER_SWEEP_AT = os.environ.get("TRAINER_SWEEP_AT", "02:30")
        self.TRAINER_REMINDERS_AT = os.environ.get("TRAINER_REMINDERS_AT", "08:00")
        self.TRAINER_DIGEST_AT = os.environ.get("TRAINER_DIGEST_AT", "08:30")
        # Mail: smtp://user:pass@host:port (smtps:// for TLS, ?starttls=1); unset → instance/outbox/
        self.TRAINER_SMTP_URL = os.environ.get("TRAINER_SMTP_URL") or None
        self.TRAINER_MAIL_FROM = os.environ.get("TRAINER_MAIL_FROM", "trainer@localhost")
        self.TRAINER_OUTBOX = Path(os.environ.get("TRAINER_OUTBOX", INSTANCE / "outbox"))
        # Password reset links: self-service (minutes) and admin-made (hours); request limits.
        self.TRAINER_RESET_TOKEN_MINUTES = int(os.environ.get("TRAINER_RESET_TOKEN_MINUTES", "30"))
        self.TRAINER_ADMIN_RESET_LINK_HOURS = int(
            os.environ.get("TRAINER_ADMIN_RESET_LINK_HOURS", "24")
        )
        self.RESET_RATE_LIMIT_IP = os.environ.get("TRAINER_RESET_RATE_LIMIT_IP", "10 per hour")
        self.RESET_RATE_LIMIT_ACCOUNT = os.environ.get(
            "TRAINER_RESET_RATE_LIMIT_ACCOUNT", "3 per hour"
        )
        # Roles that must sign in with two steps (TOTP), e.g. "manager,admin"; empty: optional.
        self.TRAINER_TOTP_REQUIRED_ROLES = os.environ.get("TRAINER_TOTP_REQUIRED_ROLES", "")
        # Links in mails: the address people use to reach the site.
        self.TRAINER_BASE_URL = os.environ.get("TRAINER_BASE_URL", "http://127.0.0.1:5000")

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite only: readers never wait for a writer (WAL); a writer waits up to 10 s for another.
    SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 10_000, "synchronous": "normal"}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Absolute session lifetime; idle timeout is enforced server-side (accounts.sessions).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    # The cookie is set when it changes (sign-in, CSRF token, flash), not re-signed on every
    # response: it then expires 12 h after sign-in, like the server-side session it points at.
    SESSION_REFRESH_EACH_REQUEST = False
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # uploads (GIFT, CSV, YAML, zip) stay well below this
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session; the session has its own limits
    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    # argon2id parameters (OWASP floor: m=19 MiB, t=2, p=1); these sit above it.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2
    TESTING = False
    DEBUG = False


class TestingConfig(Config):
    """Fast hashing and an in-memory limiter; database given by the test fixtures."""

    TESTING = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1

    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    # A test database is thrown away after the test: no need to wait for the disk.
    SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 10_000, "synchronous": "off"}

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.OPENAI_API_KEY = None  # tests opt in to the LLM path with a fake server
        self.OPENAI_BASE_URL = None
        # Tests do not wait for the scripted customer's typing unless asked to.
        self.ROLEPLAY_SCRIPTED_DELAY = _number("TRAINER_ROLEPLAY_SCRIPTED_DELAY", 0.0, float)
        # Jobs run inline unless a test is about the queue itself (it configures real storage).
        self.TRAINER_QUEUE_IMMEDIATE = True
        self.TRAINER_SMTP_URL = None
