"""Django settings, read from the environment with safe defaults.

Every setting a library may change is a LIBDESK_* variable documented in docs/configuration.md.
The defaults give an embedded SQLite library listening on loopback only.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and `taskset`
    narrow), or the machine's count where the system cannot tell."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux, or a seccomp filter refuses the call
        return os.cpu_count() or 1


DATA_DIR = Path(os.environ.get("LIBDESK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use LIBDESK_SECRET_KEY, or a key generated once and kept (mode 0600) in the data dir."""
    if key := os.environ.get("LIBDESK_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Rotating the key: put the old one here (comma-separated) while the new one takes over, so
# nobody is signed out and retired cards are still recognised (docs/configuration.md).
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("LIBDESK_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]


def _audit_key() -> str:
    """Use LIBDESK_AUDIT_KEY, or a key generated once and kept (mode 0600) in the data dir.

    It keys the audit log's hash chain. It lives outside the database, so whoever can change
    the database cannot rewrite the log and make it verify again (docs/privacy.md, "Audit");
    every node of one library needs the same key, and backups must hold it.
    """
    if key := os.environ.get("LIBDESK_AUDIT_KEY", "").strip():
        return _long_enough(key, "LIBDESK_AUDIT_KEY")
    path = DATA_DIR / "audit_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _long_enough(path.read_text().strip(), str(path))
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _long_enough(key: str, where: str) -> str:
    if len(key) < 32:
        raise ImproperlyConfigured(f"{where}: an audit key needs at least 32 characters")
    return key


AUDIT_KEY = _audit_key()
# Keys that signed older parts of the log, kept after a rotation until the entries they signed
# are pruned (docs/configuration.md, "Rotating the audit key").
AUDIT_OLD_KEYS = [
    _long_enough(k.strip(), "LIBDESK_AUDIT_OLD_KEYS")
    for k in os.environ.get("LIBDESK_AUDIT_OLD_KEYS", "").split(",")
    if k.strip()
]
DEBUG = _env_flag("LIBDESK_DEBUG")
BIND = os.environ.get("LIBDESK_BIND", "127.0.0.1")
HTTPS = _env_flag("LIBDESK_HTTPS")
# The address of the TLS proxy in front, whose X-Forwarded-For/-Proto headers are believed;
# without it every caller would share the proxy's address (and its rate limits).
TRUSTED_PROXY = os.environ.get("LIBDESK_TRUSTED_PROXY", "")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LIBDESK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]

INSTALLED_APPS = [
    "libdesk.core",
    "libdesk.accounts",
    "libdesk.library",
    "libdesk.policies",
    "libdesk.audit",
    "libdesk.patrons",
    "libdesk.privacy",
    "libdesk.catalog",
    "libdesk.circulation",
    "libdesk.reference",
    "libdesk.rights",
    "libdesk.sip2",
    "libdesk.programs",
    "libdesk.feedback",
    "libdesk.outreach",
    "libdesk.web",
    "libdesk.api",
    "libdesk.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "libdesk.web.middleware.QueryStringLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "libdesk.api.middleware.JsonBodiesOnly",
    "libdesk.web.middleware.CsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "libdesk.urls"
WSGI_APPLICATION = "libdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "libdesk.web.context_processors.library",
            ],
            # the `date` filter with French's "1er" (libdesk.formats), on every page
            "builtins": ["libdesk.web.templatetags.dates"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("LIBDESK_DATABASE_URL", f"sqlite:///{DATA_DIR / 'libdesk.sqlite3'}")
# How long a thread keeps its database connection between requests (seconds; 0: one per
# request). Opening one costs PostgreSQL a new server process, its authentication and settings
# (under load, most of the server's time), and SQLite its PRAGMAs and a cold page cache; each
# kept connection is checked before a request reuses it (bench/README.md, issue 17).
CONN_MAX_AGE = _env_int("LIBDESK_DATABASE_CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
    )
}
# A commit checkpoints only past ~40 MB of WAL; the checkpointer keeps it far below that, and
# the file is cut back to 64 MB after a reset (core/walcheckpoint.py).
WAL_PRAGMAS = "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with libdesk's writers queued (core/backends/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "libdesk.core.backends.sqlite3"
    # WAL lets readers work while one writer commits (checkpoints run beside the web server,
    # not inside a desk's commit: core/walcheckpoint.py); synchronous=FULL makes an acknowledged
    # commit survive a power cut; IMMEDIATE transactions take the write lock up front so two
    # writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            + WAL_PRAGMAS
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-libdesk.sqlite3")}
POSTGRESQL = "libdesk.core.backends.postgresql"  # Django's, within libpq's limit on values
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Values travel apart from the SQL (psycopg's server-side binding), so a statement a
    # connection runs again is prepared once by the server, and psycopg no longer quotes every
    # value into the SQL text in Python (bench/README.md, issue 17).
    DATABASES["default"]["ENGINE"] = POSTGRESQL
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
# A PostgreSQL streaming replica for the anonymous catalogue's reads (core/replica.py,
# docs/deployment-nodes.md): a second alias and a router; without it everything is `default`.
REPLICA_URL = os.environ.get("LIBDESK_DATABASE_REPLICA_URL", "").strip()
if REPLICA_URL:
    _replica = dj_database_url.parse(
        REPLICA_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
    )
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        _replica["ENGINE"] = POSTGRESQL
    if DATABASES["default"]["ENGINE"] != POSTGRESQL or _replica["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured(
            "LIBDESK_DATABASE_REPLICA_URL: a read replica needs PostgreSQL, both there and in "
            "LIBDESK_DATABASE_URL (postgres://user@host:5432/name)"
        )
    # Each alias names itself to the server (pg_stat_activity, log_line_prefix's %a); a
    # replica that does not answer is given up on after 2 s, then probed again a second later.
    DATABASES["default"]["OPTIONS"] = {
        "application_name": "libdesk",
        **DATABASES["default"].get("OPTIONS", {}),
    }
    _replica["OPTIONS"] = {
        "application_name": "libdesk replica reads",
        "connect_timeout": 2,
        "server_side_binding": True,
        **_replica.get("OPTIONS", {}),
    }
    _replica["TEST"] = {"MIRROR": "default"}  # a test run reads the test database through it
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["libdesk.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.StaffUser"
# One sign-in path for staff whatever the URL: lockout, audit and the second factor
# (accounts/backends.py); Django's admin sends people to the staff sign-in page.
AUTHENTICATION_BACKENDS = ["libdesk.accounts.backends.StaffBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:staff-sign-in"

# --- Sessions, cookies and headers ----------------------------------------------------------
SESSION_ENGINE = "libdesk.core.sessions"  # keys stored hashed
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "libdesk_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# --- `libdesk check --deploy` passes on docs/deploy/libdesk.env (tests/core/test_deploy_check.py)
# W003 looks for Django's CSRF middleware by name; libdesk's subclasses it, and its own check
# (core/checks.py) takes that one's place. W021 asks for HSTS preload, which commits the whole
# registered domain (a city's, often) to browsers' built-in lists: its owner's choice to make.
SILENCED_SYSTEM_CHECKS = ["security.W003", "security.W021"]

SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["libdesk.formats"]  # long dates on pages: "21 December 2026"
USE_TZ = True
TIME_ZONE = os.environ.get("LIBDESK_TIME_ZONE", "America/Winnipeg")

# --- Static files: served by libdesk itself through WhiteNoise, straight from the package ----
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Mail: SMTP when LIBDESK_SMTP_HOST is set. Otherwise none is sent, except by the demo
# library, which writes it to files under <data dir>/mail kept briefly (library/mail.py). ---
DEFAULT_FROM_EMAIL = os.environ.get("LIBDESK_MAIL_FROM", "library@localhost")
if os.environ.get("LIBDESK_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["LIBDESK_SMTP_HOST"]
    EMAIL_PORT = _env_int("LIBDESK_SMTP_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("LIBDESK_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("LIBDESK_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = _env_flag("LIBDESK_SMTP_TLS", True)
else:
    EMAIL_BACKEND = "libdesk.library.mail.LibraryMailBackend"


# --- Cache: shared by every process (rate-limit counters, clause titles), never keyed by a
# card number. With SQLite, files beside the database file (diskcache: SQLite files of its own,
# so a search's counter never waits for, or holds up, the desk's commits; and two nodes sharing
# one database file share the cache, whatever their data dirs); with PostgreSQL, the database
# (`libdesk migrate` creates its table); or Redis, for several nodes.
_SHARED_DIR = (
    Path(DATABASES["default"]["NAME"]).parent
    if DATABASES["default"]["ENGINE"].endswith("sqlite3")
    else DATA_DIR
)


def _cache_from_url(url: str) -> dict:
    scheme = url.partition("://")[0]
    if scheme == "disk":  # every process on this machine that opens the same SQLite file
        return {
            "BACKEND": "libdesk.core.filecache.KeptOpenDiskCache",
            "LOCATION": str(_SHARED_DIR / "cache"),
            "OPTIONS": {"size_limit": 2**28},
        }
    if scheme == "db":
        # Culling keeps at most this many entries, expired ones first; rate-limit counters
        # are rows of a table of their own (core/dbcache.py).
        return {
            "BACKEND": "libdesk.core.dbcache.CountingDatabaseCache",
            "LOCATION": "libdesk_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":  # one process only: counters are not shared
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ValueError(
        f"LIBDESK_CACHE_URL must be disk://, db://, redis://host:port/db or locmem://: {url}"
    )


_DEFAULT_CACHE = "disk://" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "db://"
CACHES = {"default": _cache_from_url(os.environ.get("LIBDESK_CACHE_URL") or _DEFAULT_CACHE)}

# --- libdesk's own settings (docs/configuration.md) ------------------------------------------
LIBDESK = {
    # Catalogue searches (web and API) per address per window: a branch's catalogue
    # terminals often share one address.
    "SEARCH_LIMIT": _env_int("LIBDESK_SEARCH_LIMIT", 300),
    "SEARCH_WINDOW_SECONDS": _env_int("LIBDESK_SEARCH_WINDOW_SECONDS", 60),
    # The longest query string (bytes, after the `?`) any page or endpoint accepts: 414 past it.
    "MAX_QUERY_STRING_BYTES": _env_int("LIBDESK_MAX_QUERY_STRING_BYTES", 8192),
    # Policies whose next review falls within this many days are listed as due.
    "POLICY_REVIEW_WARNING_DAYS": _env_int("LIBDESK_POLICY_REVIEW_WARNING_DAYS", 90),
    # Failed sign-ins or PIN checks before a channel locks, and for how long.
    "LOCKOUT_THRESHOLD": _env_int("LIBDESK_LOCKOUT_THRESHOLD", 5),
    "LOCKOUT_MINUTES": _env_int("LIBDESK_LOCKOUT_MINUTES", 15),
    # ...counted within this many minutes from the first failure.
    "LOCKOUT_WINDOW_MINUTES": _env_int("LIBDESK_LOCKOUT_WINDOW_MINUTES", 15),
    # Shortest PIN a patron may choose (digits only).
    "PIN_MIN_LENGTH": _env_int("LIBDESK_PIN_MIN_LENGTH", 4),
    # A guardian may see a child's loans, holds and fees until the child reaches this age.
    "GUARDIAN_CUTOFF_AGE": _env_int("LIBDESK_GUARDIAN_CUTOFF_AGE", 16),
    # A serving context ends after this many idle minutes.
    "SERVING_IDLE_MINUTES": _env_int("LIBDESK_SERVING_IDLE_MINUTES", 10),
    # Patron web sessions (often on public terminals) end after this many idle minutes.
    "PATRON_SESSION_IDLE_MINUTES": _env_int("LIBDESK_PATRON_SESSION_IDLE_MINUTES", 15),
    # Lifetimes of API tokens.
    "PATRON_TOKEN_MINUTES": _env_int("LIBDESK_PATRON_TOKEN_MINUTES", 60),
    "STAFF_TOKEN_DAYS": _env_int("LIBDESK_STAFF_TOKEN_DAYS", 90),
    # The embedded search index (tantivy): each node keeps its own.
    "SEARCH_DIR": Path(os.environ.get("LIBDESK_SEARCH_DIR", str(DATA_DIR / "search"))),
    # This node's name among the nodes sharing one database (its search index's cursor in the
    # outbox); by default the host's name and a digest of the index's directory.
    "NODE_ID": os.environ.get("LIBDESK_NODE_ID", "").strip(),
    # A node (its index follower) or a background worker silent this many seconds is taken
    # for dead: the node stops holding back the outbox's pruning, and the task the worker was
    # running goes back in the queue for another worker.
    "NODE_TIMEOUT_SECONDS": _env_int("LIBDESK_NODE_TIMEOUT_SECONDS", 60),
    "TASK_LEASE_SECONDS": _env_int("LIBDESK_TASK_LEASE_SECONDS", 60),
    # Anonymous catalogue reads leave the read replica for the primary while it lags more
    # than this many seconds behind it (core/replica.py says how the lag is measured).
    "REPLICA_MAX_LAG_SECONDS": _env_int("LIBDESK_REPLICA_MAX_LAG_SECONDS", 10),
    # Audit entries older than this are pruned (a checkpoint keeps the chain verifiable).
    "AUDIT_RETENTION_DAYS": _env_int("LIBDESK_AUDIT_RETENTION_DAYS", 730),
    # Filled, cancelled or expired holds are deleted this many hours after they end (a filled
    # one names nobody from the moment it becomes a loan; ended ones never name their copy).
    "ENDED_HOLD_RETENTION_HOURS": _env_int("LIBDESK_ENDED_HOLD_RETENTION_HOURS", 24),
    # Closed interlibrary loan requests and purchase suggestions lose their patron after this.
    "CLOSED_REQUEST_RETENTION_DAYS": _env_int("LIBDESK_CLOSED_REQUEST_RETENTION_DAYS", 30),
    # Settled fees lose their patron after this many days (amounts and receipts stay, naming
    # nobody, for the library's accounts).
    "CLOSED_FEE_RETENTION_DAYS": _env_int("LIBDESK_CLOSED_FEE_RETENTION_DAYS", 365),
    # Ended serving contexts (who served whom, on what basis) are deleted after this many
    # days; the patron's access log keeps the reads, as the audit log does.
    "SERVING_CONTEXT_RETENTION_DAYS": _env_int("LIBDESK_SERVING_CONTEXT_RETENTION_DAYS", 90),
    # Patron API tokens are deleted this many days after they expire or are revoked.
    "ENDED_TOKEN_RETENTION_DAYS": _env_int("LIBDESK_ENDED_TOKEN_RETENTION_DAYS", 7),
    # The record of which notices went out about a loan, hold or request is deleted this many
    # days after it was sent, once the loan, hold or request no longer names a patron.
    "NOTICE_LOG_RETENTION_DAYS": _env_int("LIBDESK_NOTICE_LOG_RETENTION_DAYS", 30),
    # The demo library's mail files (it has no mail server) are deleted after this many days.
    "DEMO_MAIL_RETENTION_DAYS": _env_int("LIBDESK_DEMO_MAIL_RETENTION_DAYS", 2),
    # Log files (LIBDESK_LOG_DIR) older than this many days are deleted.
    "LOG_RETENTION_DAYS": _env_int("LIBDESK_LOG_RETENTION_DAYS", 30),
    # Reference questions: their text is deleted this many days after closing, keeping only
    # the figures (channel, topic, effort, times); and the target time to a first response,
    # in hours, for each channel (a question past it is marked late in the queue).
    "REFERENCE_RETENTION_DAYS": _env_int("LIBDESK_REFERENCE_RETENTION_DAYS", 90),
    # A question nobody answered (never taken, or its librarian left) is not kept forever.
    "REFERENCE_UNANSWERED_DAYS": _env_int("LIBDESK_REFERENCE_UNANSWERED_DAYS", 365),
    # Program registrations (names, contacts, links to patrons) are deleted this many days
    # after their event ends; the event keeps only its counts.
    "EVENT_CONTACT_RETENTION_DAYS": _env_int("LIBDESK_EVENT_CONTACT_RETENTION_DAYS", 7),
    "REFERENCE_TARGET_HOURS_WEB": _env_int("LIBDESK_REFERENCE_TARGET_HOURS_WEB", 48),
    "REFERENCE_TARGET_HOURS_EMAIL": _env_int("LIBDESK_REFERENCE_TARGET_HOURS_EMAIL", 48),
    "REFERENCE_TARGET_HOURS_PHONE": _env_int("LIBDESK_REFERENCE_TARGET_HOURS_PHONE", 24),
    "REFERENCE_TARGET_HOURS_IN_PERSON": _env_int("LIBDESK_REFERENCE_TARGET_HOURS_IN_PERSON", 4),
    # Comments (feedback): their text, signature and responses are deleted this many days
    # after the comment is closed (or arrived, if never closed), keeping only the figures.
    "FEEDBACK_RETENTION_DAYS": _env_int("LIBDESK_FEEDBACK_RETENTION_DAYS", 365),
    # Self-check kiosks (SIP2): lifted card blocks and resolved offline-loan conflicts are
    # deleted this many days later (an open one stays until staff deal with it).
    "CARD_BLOCK_RETENTION_DAYS": _env_int("LIBDESK_CARD_BLOCK_RETENTION_DAYS", 30),
    "OFFLINE_CONFLICT_RETENTION_DAYS": _env_int("LIBDESK_OFFLINE_CONFLICT_RETENTION_DAYS", 30),
    # The desk: a note staff left on an account is deleted this many days after it was
    # written, if nobody cleared it before.
    "PATRON_NOTE_RETENTION_DAYS": _env_int("LIBDESK_PATRON_NOTE_RETENTION_DAYS", 90),
    # Outreach: the record of which newsletter issue was mailed to whom (so none goes twice)
    # is deleted this many days after the issue was sent.
    "NEWSLETTER_DELIVERY_RETENTION_DAYS": _env_int(
        "LIBDESK_NEWSLETTER_DELIVERY_RETENTION_DAYS", 365
    ),
    # The web server (`libdesk run`, `libdesk serve_web`): processes, one per core by default
    # (Python renders one page at a time per process), and waitress threads in each: two, so
    # one renders while the other waits on the database; more only fought over the process's
    # one interpreter lock (the load test on 2 cores: 8 threads 161-217 requests/s, 4 threads
    # 166-241, 2 threads 193-256; bench/README.md, issue 17).
    "WEB_PROCESSES": _env_int("LIBDESK_WEB_PROCESSES", _cores()),
    "WEB_THREADS": _env_int("LIBDESK_WEB_THREADS", 2),
    # The SIP2 server: where it listens, its TLS certificate and key (both, or neither), the
    # longest frame it reads, and how long a connection may wait before logging in and
    # between messages, in seconds.
    # The currency kiosks take payments in (SIP2 currency type, ISO 4217).
    "CURRENCY": os.environ.get("LIBDESK_CURRENCY", "CAD"),
    "SIP2_BIND": os.environ.get("LIBDESK_SIP2_BIND", "127.0.0.1"),
    "SIP2_PORT": _env_int("LIBDESK_SIP2_PORT", 6001),
    "SIP2_TLS_CERT": os.environ.get("LIBDESK_SIP2_TLS_CERT", ""),
    "SIP2_TLS_KEY": os.environ.get("LIBDESK_SIP2_TLS_KEY", ""),
    "SIP2_MAX_FRAME": _env_int("LIBDESK_SIP2_MAX_FRAME", 4096),
    "SIP2_LOGIN_SECONDS": _env_int("LIBDESK_SIP2_LOGIN_SECONDS", 30),
    "SIP2_IDLE_SECONDS": _env_int("LIBDESK_SIP2_IDLE_SECONDS", 300),
    # Offline ("no block") transactions a kiosk replays are taken with their own dates only
    # this many days back (and never in the future); connections at once, in all and from
    # one address (a branch's kiosks may share one).
    "SIP2_OFFLINE_DAYS": _env_int("LIBDESK_SIP2_OFFLINE_DAYS", 3),
    "SIP2_MAX_CONNECTIONS": _env_int("LIBDESK_SIP2_MAX_CONNECTIONS", 256),
    "SIP2_MAX_CONNECTIONS_PER_ADDRESS": _env_int("LIBDESK_SIP2_MAX_CONNECTIONS_PER_ADDRESS", 64),
    # The desk's compiled statements (core/statements.py). Off, every one runs through the
    # plain ORM queryset it was written from: the same rows, slower (CI's PostgreSQL run).
    "FAST_STATEMENTS": _env_flag("LIBDESK_FAST_STATEMENTS", True),
}

# Logs go to the error output, and with LIBDESK_LOG_DIR also to one file per day there, kept
# LOG_RETENTION_DAYS (core/logfiles.py). They never hold a PIN, password, token, session id or
# card number: the test suite logs at DEBUG and scans for them.
LOG_DIR = (
    Path(os.environ["LIBDESK_LOG_DIR"]).resolve() if os.environ.get("LIBDESK_LOG_DIR") else None
)
# LIBDESK_LOG_FORMAT=json writes both as JSON lines (core/jsonlog.py), through the same masking.
LOG_FORMAT = os.environ.get("LIBDESK_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LIBDESK_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
_JSON_LOGS = LOG_FORMAT == "json"
_LOG_HANDLERS = {
    "console": {"class": "logging.StreamHandler", "formatter": "json" if _JSON_LOGS else "plain"}
}
if LOG_DIR is not None:
    _LOG_HANDLERS["file"] = {
        "class": "libdesk.core.logfiles.DailyLogFile",
        "directory": str(LOG_DIR),
        "formatter": "json" if _JSON_LOGS else "stamped",
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {  # long numbers (barcodes, cards) masked to their last four digits
        "plain": {"()": "libdesk.core.logfiles.MaskingFormatter", "format": "%(message)s"},
        "stamped": {
            "()": "libdesk.core.logfiles.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
        },
        "json": {"()": "libdesk.core.jsonlog.JsonFormatter"},
    },
    "filters": {"refusals_in_one_line": {"()": "libdesk.core.logfiles.RefusalsInOneLine"}},
    "handlers": _LOG_HANDLERS,
    "loggers": {"django.request": {"filters": ["refusals_in_one_line"]}},
    "root": {
        "handlers": list(_LOG_HANDLERS),
        "level": os.environ.get("LIBDESK_LOG_LEVEL", "WARNING"),
    },
}

# --- Observability (docs/observability.md): health probes, metrics, request ids --------------
# The outermost middleware times and counts every request by route (core/request_log.py).
MIDDLEWARE = ["libdesk.core.request_log.ObserveRequests", *MIDDLEWARE]
# A load balancer probes each node directly, in plain HTTP: no redirect to HTTPS for the probes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
_METRICS_TOKEN = os.environ.get("LIBDESK_METRICS_TOKEN", "").strip()
if _METRICS_TOKEN and len(_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "LIBDESK_METRICS_TOKEN: a metrics token needs at least 32 characters"
    )
LIBDESK.update(
    {
        # The bearer token a monitoring system sends to read /metrics; unset, /metrics is 404.
        "METRICS_TOKEN": _METRICS_TOKEN,
        # /readyz answers 503 past these: catalogue changes the search index has not applied,
        # and background tasks due but not yet taken by a worker (0: not checked).
        "READY_MAX_INDEX_LAG": _env_int("LIBDESK_READY_MAX_INDEX_LAG", 50_000),
        "READY_MAX_QUEUE_DEPTH": _env_int("LIBDESK_READY_MAX_QUEUE_DEPTH", 5_000),
    }
)
