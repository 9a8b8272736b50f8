"""Configuration classes. Everything comes from the environment; see README "Configuration".

Development (the `make demo` default) generates its own keys into `instance/secrets.json` so a
fresh clone runs with nothing set. Production refuses to start without every secret, because a
silent default key would mean personal data encrypted under a key anyone can read in the repo.
"""

import base64
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

SECRET_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "NOTICE_CODE_KEY", "AUDIT_KEYS")
# More chunks per claim saves little after about five, and each is a request an admin may have to settle.
MAX_CLAIM_CHUNKS = 20


class ConfigurationError(RuntimeError):
    """Start-up stops with this when the configuration is unusable."""


def _b64key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def generate_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": f"k1:{_b64key()}",
        "BLIND_INDEX_KEY": _b64key(),
        "NOTICE_CODE_KEY": _b64key(),
        # HMAC key ring of the audit chain (portal/audit/chain.py), rotated like FIELD_ENCRYPTION_KEYS.
        "AUDIT_KEYS": f"a1:{_b64key()}",
    }


def load_or_create_instance_secrets(instance_path: str) -> dict[str, str]:
    """Keys for the embedded mode, created once per checkout and never committed."""
    path = Path(instance_path) / "secrets.json"
    if path.exists():
        values = json.loads(path.read_text())
        if all(name in values for name in SECRET_NAMES):
            return values
        # A checkout from before a key existed gains the new key; the ones it has stay.
        values = {**generate_secrets(), **values}
        path.write_text(json.dumps(values, indent=2))
        return values
    path.parent.mkdir(parents=True, exist_ok=True)
    values = generate_secrets()
    # 0600 because whoever reads this file can decrypt the demo database.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle, indent=2)
    return values


# SESSION_STORAGE_URI: the app's own database (the embedded mode, the tests) or Redis (production);
# portal/web/sessions.py builds the store.
SESSION_STORAGE_IN_DATABASE = "database"
SESSION_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def session_storage_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be SESSION_STORAGE_URI, or None if it can."""
    if uri == SESSION_STORAGE_IN_DATABASE or uri.startswith(SESSION_REDIS_SCHEMES):
        return None
    return f"SESSION_STORAGE_URI must be 'database' or a redis:// URL, not {uri!r}"


class Config:
    DEBUG = False
    TESTING = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # A session is stored again only when it changes, so a page's images and scripts loading
    # alongside it cannot write back an older copy over the page's own change (portal/web/sessions.py).
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds a token
    # Over HTTPS a POST must also come with a same-origin Referer (the referrer policy in
    # portal/__init__.py lets browsers send one), so a page planted over plain HTTP under our host
    # name, which can plant a session cookie too and so know its token, still cannot post a form.
    WTF_CSRF_SSL_STRICT = True
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    LANGUAGES = ("en", "es", "pt", "fr", "hi", "fil", "sw")

    def __init__(self) -> None:
        # Read at construction, not import, so tests and the CLI see the environment they set.
        env = os.environ.get
        self.SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")
        # hide_parameters: a failed statement's message (logged, and shown by the debugger) never
        # carries its values, which are names, emails and addresses.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
        for name in SECRET_NAMES:
            setattr(self, name, env(name))
        self.CONTRACTOR_SESSION_MINUTES = int(env("CONTRACTOR_SESSION_MINUTES", "30"))
        self.STAFF_SESSION_MINUTES = int(env("STAFF_SESSION_MINUTES", "30"))  # idle
        # However active: a stolen or forgotten staff session dies by the end of the working day.
        self.STAFF_SESSION_MAX_HOURS = float(env("STAFF_SESSION_MAX_HOURS", "8"))
        # The store forgets a session this long after its last change; the timeouts above are
        # checked on every request, this only bounds what is kept.
        self.PERMANENT_SESSION_LIFETIME = timedelta(
            minutes=max(self.CONTRACTOR_SESSION_MINUTES, self.STAFF_SESSION_MINUTES)
        )
        self.SESSION_STORAGE_URI = env("SESSION_STORAGE_URI", "database")  # or redis://… (portal/web/sessions.py)
        self.RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI", "memory://")
        self.VERIFY_LIMIT_PER_CODE = env("VERIFY_LIMIT_PER_CODE", "5 per 15 minutes")
        self.VERIFY_LIMIT_PER_IP = env("VERIFY_LIMIT_PER_IP", "20 per hour")
        self.LOST_CODE_LIMIT_PER_IP = env("LOST_CODE_LIMIT_PER_IP", "10 per hour")
        # A code mailed by "I lost my code" stops working this many hours after it was issued.
        self.REISSUED_CODE_VALID_HOURS = int(env("REISSUED_CODE_VALID_HOURS", "72"))
        # An enrolment link from the staff accounts screen works once, for this many hours.
        self.STAFF_INVITE_HOURS = int(env("STAFF_INVITE_HOURS", "72"))
        self.STAFF_LOGIN_LIMIT_PER_IP = env("STAFF_LOGIN_LIMIT_PER_IP", "20 per hour")
        # Wrong passwords per account (by email), and wrong codes per account, from any address.
        self.STAFF_LOGIN_LIMIT_PER_ACCOUNT = env("STAFF_LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
        self.MAIL_BACKEND = env("MAIL_BACKEND", "outbox")
        self.MAIL_FROM = env("MAIL_FROM", "notices@exposure-portal.example")
        self.PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:5000")
        # Who we are, until an admin edits it in the staff area (docs/trust.md): seeds the organisation row.
        self.ORGANISATION_LEGAL_NAME = env("ORGANISATION_LEGAL_NAME", "")
        self.ORGANISATION_SENDER_ADDRESSES = env("ORGANISATION_SENDER_ADDRESSES", "")  # comma-separated
        self.ORGANISATION_SENDER_DOMAINS = env("ORGANISATION_SENDER_DOMAINS", "")  # comma-separated
        self.ORGANISATION_PHONES = env("ORGANISATION_PHONES", "")  # "KE | +254 20 000 0000 | Mon-Fri 8-18; ..."
        self.ORGANISATION_POSTAL_ADDRESS = env("ORGANISATION_POSTAL_ADDRESS", "")  # \n between lines
        self.ORGANISATION_CLAIMS_ADMINISTRATOR = env("ORGANISATION_CLAIMS_ADMINISTRATOR", "")
        self.REPORT_LIMIT_PER_IP = env("REPORT_LIMIT_PER_IP", "20 per hour")  # suspicious-message reports
        # Support sending a person their notice again (docs/staff.md): at most one per channel in this
        # many minutes (a double click or two agents send one), and this many a day per person.
        self.SUPPORT_RESEND_MINUTES = int(env("SUPPORT_RESEND_MINUTES", "10"))
        self.SUPPORT_RESEND_LIMIT_PER_PERSON = env("SUPPORT_RESEND_LIMIT_PER_PERSON", "3 per day")
        # Sending notices (docs/sending.md explains each of these).
        self.MAIL_FROM_NAME = env("MAIL_FROM_NAME", "")
        self.MAIL_REPLY_TO = env("MAIL_REPLY_TO", "")
        self.SENDGRID_API_KEY = env("SENDGRID_API_KEY", "")
        self.SENDGRID_HOST = env("SENDGRID_HOST", "https://api.sendgrid.com").rstrip("/")
        self.SENDGRID_TIMEOUT_SECONDS = float(env("SENDGRID_TIMEOUT_SECONDS", "10"))
        self.SENDGRID_WEBHOOK_PUBLIC_KEY = env("SENDGRID_WEBHOOK_PUBLIC_KEY", "")
        self.SENDGRID_WEBHOOK_TOLERANCE_SECONDS = int(env("SENDGRID_WEBHOOK_TOLERANCE_SECONDS", "600"))
        self.SENDGRID_WEBHOOK_RATE_LIMIT = env("SENDGRID_WEBHOOK_RATE_LIMIT", "1200 per minute")
        self.CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
        self.CELERY_SEND_PARALLELISM = int(env("CELERY_SEND_PARALLELISM", "16"))  # send tasks queued per kick
        self.SENDING_ENGINE = env("SENDING_ENGINE", "thread")  # thread | inline; Celery when a broker is set
        self.SEND_CHUNK_SIZE = int(env("SEND_CHUNK_SIZE", "1000"))
        # Chunks a sender claims per transaction (docs/sending.md, "Throughput"); a crash of the
        # pipelined sender leaves at most twice this many chunks for the reaper.
        self.SEND_CLAIM_CHUNKS = int(env("SEND_CLAIM_CHUNKS", "5"))
        # A sender with at least this many notices due hands the posting to a helper process
        # (docs/sending.md, "Throughput"); 0 never does. Starting one costs most of a CPU second.
        self.SEND_POSTING_PROCESS_MIN_NOTICES = int(env("SEND_POSTING_PROCESS_MIN_NOTICES", "20000"))
        self.SEND_MAX_ATTEMPTS = int(env("SEND_MAX_ATTEMPTS", "6"))
        self.SEND_BACKOFF_SECONDS = float(env("SEND_BACKOFF_SECONDS", "30"))
        self.SEND_BACKOFF_MAX_SECONDS = float(env("SEND_BACKOFF_MAX_SECONDS", "1800"))
        self.REAP_SENDING_AFTER_SECONDS = int(env("REAP_SENDING_AFTER_SECONDS", "600"))
        # How often a refused claim, mark or recording (deadlock, lost connection, SQLite busy) runs again.
        self.SEND_DB_ATTEMPTS = int(env("SEND_DB_ATTEMPTS", "8"))
        # PostgreSQL ends a sending or webhook transaction whose client stalls inside it this long.
        self.DB_TRANSACTION_IDLE_SECONDS = float(env("DB_TRANSACTION_IDLE_SECONDS", "30"))
        # Request bodies, per route (portal/web/request_limits.py; README "Security").
        self.MAX_FORM_BYTES = int(env("MAX_FORM_BYTES", str(64 * 1024)))
        self.MAX_STAFF_FORM_BYTES = int(env("MAX_STAFF_FORM_BYTES", str(1024 * 1024)))
        self.MAX_WEBHOOK_BYTES = int(env("MAX_WEBHOOK_BYTES", str(5 * 1024 * 1024)))
        self.MAX_PROOF_UPLOAD_BYTES = int(env("MAX_PROOF_UPLOAD_BYTES", str(50 * 1024 * 1024)))
        self.MAX_PROOF_FORM_PARTS = int(env("MAX_PROOF_FORM_PARTS", "20"))
        self.MAX_PROOF_FILES = int(env("MAX_PROOF_FILES", "5"))  # files in one upload
        self.PROOF_IMAGE_MAX_PIXELS = int(env("PROOF_IMAGE_MAX_PIXELS", str(25_000_000)))
        self.MAX_UPLOAD_BYTES = int(env("MAX_UPLOAD_BYTES", str(512 * 1024 * 1024)))
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES  # the ceiling; every route lowers it
        # Claim proof files; empty means <instance>/uploads. Never under static/. Shared by every web host.
        self.UPLOAD_FOLDER = env("UPLOAD_FOLDER", "")
        # Fraud signal "many claims from one IP": this many claims within this many minutes.
        self.CLAIM_IP_THRESHOLD = int(env("CLAIM_IP_THRESHOLD", "5"))
        self.CLAIM_IP_WINDOW_MINUTES = int(env("CLAIM_IP_WINDOW_MINUTES", "60"))
        # Claimant CSV exports (docs/exports.md, "Worker processes"): processes that build an
        # export's pages, its own included; 0 means one per CPU, at most four, and 1 its own only.
        # An export of fewer claims than EXPORT_POOL_MIN_ROWS stays in one process: a worker
        # takes a third of a second to start, which 20,000 claims do not pay for and 50,000 do.
        self.EXPORT_WORKERS = int(env("EXPORT_WORKERS", "0"))
        self.EXPORT_POOL_MIN_ROWS = int(env("EXPORT_POOL_MIN_ROWS", "50000"))
        # Privacy (docs/privacy.md): who holds the data, and the font embedded in a person's record
        # PDF (Debian's fonts-dejavu-core; any TrueType font with the scripts of your people's names;
        # Devanagari comes from the Noto font in static/fonts whatever these are).
        self.ORGANISATION_NAME = env("ORGANISATION_NAME", "The organisation running this portal")
        self.PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", "")
        # Days to answer a data request where no law in the rules file sets a period.
        self.PRIVACY_DEFAULT_RESPONSE_DAYS = int(env("PRIVACY_DEFAULT_RESPONSE_DAYS", "30"))
        # How long database and upload backups live: said in the privacy notice, as the last copy
        # of anything purged or erased (set it to what the backup system really keeps).
        self.PRIVACY_BACKUP_DAYS = int(env("PRIVACY_BACKUP_DAYS", "35"))
        self.PRIVACY_PDF_FONT = env("PRIVACY_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
        self.PRIVACY_PDF_FONT_BOLD = env(
            "PRIVACY_PDF_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
        )

    def check(self, values) -> None:
        """Called by the factory with the final config; raises ConfigurationError if unusable."""
        check_mail_settings(values)
        if problem := session_storage_problem(values.get("SESSION_STORAGE_URI", "")):
            raise ConfigurationError(problem)


class DevelopmentConfig(Config):
    DEBUG = True
    # Each kept mail is also written to <instance>/mailbox/<address>.txt (portal/mail/demo_mailbox.py).
    DEMO_MAILBOX = True
    SESSION_COOKIE_SECURE = False  # the demo is served over plain http on 127.0.0.1
    OFFER_PSEUDO_LOCALE = True  # docs/translations.md: accented, lengthened English finds untranslated text


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False  # the test client and the browser tests' live server speak plain http

    def __init__(self) -> None:
        super().__init__()
        # Tests see a batch finish before dispatch_batch returns; tests/sending drive the other engines.
        self.SENDING_ENGINE = os.environ.get("SENDING_ENGINE", "inline")


def check_mail_settings(values) -> None:
    if values.get("MAIL_BACKEND") not in ("outbox", "sendgrid"):
        raise ConfigurationError("MAIL_BACKEND must be 'outbox' or 'sendgrid'")
    if values.get("MAIL_BACKEND") == "sendgrid" and not values.get("SENDGRID_API_KEY"):
        raise ConfigurationError("MAIL_BACKEND=sendgrid needs SENDGRID_API_KEY set")
    if not 1 <= int(values.get("SEND_CHUNK_SIZE", 1000)) <= 1000:
        raise ConfigurationError("SEND_CHUNK_SIZE must be between 1 and 1000 (SendGrid's personalization limit)")
    if not 1 <= int(values.get("SEND_CLAIM_CHUNKS", 5)) <= MAX_CLAIM_CHUNKS:
        raise ConfigurationError(f"SEND_CLAIM_CHUNKS must be between 1 and {MAX_CLAIM_CHUNKS}")
    if values.get("SENDING_ENGINE") not in ("thread", "inline"):
        raise ConfigurationError("SENDING_ENGINE must be 'thread' or 'inline' (Celery is chosen by CELERY_BROKER_URL)")


def check_rate_limit_storage(values) -> None:
    """Production runs several web processes: limits counted in each one's memory are no limits."""
    uri = values.get("RATELIMIT_STORAGE_URI") or ""
    if not uri or uri.startswith("memory://"):
        raise ConfigurationError(
            f"Production mode needs RATELIMIT_STORAGE_URI set to a storage every web process shares, such as "
            f"redis://host:6379/1, not {uri or 'nothing'!r}: with memory:// each gunicorn worker keeps its own "
            "counts, and a guesser gets the limit once per worker. See docs/deployment.md."
        )


class ProductionConfig(Config):
    def check(self, values) -> None:
        super().check(values)
        missing = [name for name in (*SECRET_NAMES, "SQLALCHEMY_DATABASE_URI") if not values.get(name)]
        if missing:
            names = ", ".join("DATABASE_URL" if n == "SQLALCHEMY_DATABASE_URI" else n for n in missing)
            raise ConfigurationError(
                f"Production mode needs these environment variables set: {names}. "
                "See README.md, section Configuration. Refusing to start with a default."
            )
        check_rate_limit_storage(values)
        check_compiled_catalogs(values)


def check_compiled_catalogs(values) -> None:
    """Production offers a language only with its compiled catalog (``.mo``, not in git): a release
    built without ``make compile-translations`` would show every contractor English, silently."""
    folder = Path(values["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    missing = [code for code in values["LANGUAGES"] if not (folder / code / "LC_MESSAGES" / "contractor.mo").is_file()]
    if missing:
        raise ConfigurationError(
            f"Production mode needs the compiled contractor catalogs, missing for: {', '.join(missing)}. "
            "Run `make compile-translations` (pybabel compile) when building the release; see docs/translations.md."
        )


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}
