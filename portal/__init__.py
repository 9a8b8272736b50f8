"""The Exposure Portal application factory."""

import os
from pathlib import Path

from flask import Flask, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import CONFIGS, SECRET_NAMES, ConfigurationError, load_or_create_instance_secrets
from portal.core.log_redaction import install_log_redaction
from portal.crypto import CryptoSuite, KeyConfigurationError
from portal.extensions import babel, csrf, db, limiter, login_manager, talisman

ROOT = Path(__file__).resolve().parent.parent

# Strict: no inline script or style anywhere, so an injected <script> cannot run.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# Same-origin requests carry a Referer, which Flask-WTF needs on every HTTPS POST (WTF_CSRF_SSL_STRICT);
# a request to another site carries none at all, not even our address: that someone visited a breach
# portal is itself worth keeping to ourselves. ("no-referrer" broke every form over HTTPS.)
REFERRER_POLICY = "same-origin"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides (tests); otherwise PORTAL_ENV picks the config class."""
    install_log_redaction()  # before anything can log a database error
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    env_name = (config or {}).get("PORTAL_ENV") or os.environ.get("PORTAL_ENV", "development")
    if env_name not in CONFIGS:
        raise ConfigurationError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}, not {env_name!r}")
    settings = CONFIGS[env_name]()
    app.config.from_object(settings)
    if config:
        app.config.update(config)
    app.config["PORTAL_ENV"] = env_name
    _fill_embedded_defaults(app, env_name)
    settings.check(app.config)
    _init_crypto(app)
    _init_extensions(app)
    _register_blueprints(app)
    # Imported here: a helper process imports portal.background for helpers.py alone, and must not
    # pay for Celery and the models at its start.
    from portal.background import sender

    sender.init_app(app)
    _register_error_pages(app)
    from portal.cli import register_cli

    register_cli(app)
    return app


def _fill_embedded_defaults(app: Flask, env_name: str) -> None:
    """Development gets a SQLite file and generated keys under instance/; production never does."""
    if env_name == "production":
        return
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.sqlite3'}"
    missing = [k for k in SECRET_NAMES if not app.config.get(k)]
    if missing:
        generated = load_or_create_instance_secrets(app.instance_path)
        for key in missing:
            app.config[key] = generated[key]


def _init_crypto(app: Flask) -> None:
    try:
        app.extensions["crypto"] = CryptoSuite.from_config(app.config)
    except KeyConfigurationError as exc:
        raise ConfigurationError(str(exc)) from exc


def _init_extensions(app: Flask) -> None:
    from portal.core import i18n
    from portal.core.db_setup import configure_engine_events
    from portal.web import request_limits, response_headers

    proxies = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    request_limits.init_app(app)
    db.init_app(app)
    configure_engine_events(app)
    from portal.web.sessions import init_sessions

    init_sessions(app)
    # Imported here, not in extensions.py: Alembic is half a second of start-up that processes
    # importing the package without an app (the claimant-export workers) never need.
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    response_headers.init_app(app)  # before Talisman, so it runs after Talisman's headers
    i18n.configure_domains(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    login_manager.init_app(app)
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        force_https=app.config.get("FORCE_HTTPS", not app.debug and not app.testing),
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy=REFERRER_POLICY,
    )


def _register_blueprints(app: Flask) -> None:
    """Each feature package makes its blueprint; its views (``routes``) register on it when imported.

    The packages do not import their own views, so a service, a command or an export worker that
    imports a feature never loads the web layer, and the features' views cannot form import cycles
    through each other's packages.
    """
    from portal.batches import bp as batches_bp
    from portal.batches import routes as batches_routes  # noqa: F401
    from portal.claims import bp as claims_bp
    from portal.claims import context as claims_context  # noqa: F401  (the exposure page's claim helper)
    from portal.claims import routes as claims_routes  # noqa: F401
    from portal.claims import staff_bp as claims_staff_bp
    from portal.exclusion import bp as exclusion_bp
    from portal.exclusion import routes as exclusion_routes  # noqa: F401
    from portal.exposure import bp as exposure_bp
    from portal.exposure import routes as exposure_routes  # noqa: F401
    from portal.imports import bp as imports_bp
    from portal.imports import routes as imports_routes  # noqa: F401
    from portal.incidents import bp as incidents_bp
    from portal.incidents import routes as incidents_routes  # noqa: F401
    from portal.legal import bp as legal_bp
    from portal.legal import routes as legal_routes  # noqa: F401
    from portal.monitoring import bp as monitoring_bp
    from portal.monitoring import routes as monitoring_routes  # noqa: F401
    from portal.notice_templates import bp as notice_templates_bp
    from portal.notice_templates import routes as notice_templates_routes  # noqa: F401
    from portal.outbox import bp as outbox_bp
    from portal.outbox import routes as outbox_routes  # noqa: F401
    from portal.privacy import bp as privacy_bp
    from portal.privacy import routes as privacy_routes  # noqa: F401
    from portal.public import bp as public_bp
    from portal.public import routes as public_routes  # noqa: F401
    from portal.staff import bp as staff_bp
    from portal.staff import routes as staff_routes  # noqa: F401
    from portal.trust import bp as trust_bp
    from portal.trust import context as trust_context  # noqa: F401  (the footer's organisation, contact history)
    from portal.trust import routes as trust_routes  # noqa: F401
    from portal.updates import bp as updates_bp
    from portal.updates import routes as updates_routes  # noqa: F401
    from portal.verify import bp as verify_bp
    from portal.verify import routes as verify_routes  # noqa: F401
    from portal.webhooks import bp as webhooks_bp
    from portal.webhooks import routes as webhooks_routes  # noqa: F401

    blueprints = (
        public_bp,
        verify_bp,
        exposure_bp,
        monitoring_bp,
        updates_bp,
        claims_bp,
        exclusion_bp,
        privacy_bp,  # contractors
        trust_bp,  # public: is this message from us?; staff: reports, who we are, letters on request
        staff_bp,
        incidents_bp,
        imports_bp,
        outbox_bp,
        notice_templates_bp,
        batches_bp,
        claims_staff_bp,
        legal_bp,  # staff
        webhooks_bp,  # SendGrid's event webhook
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_error_pages(app: Flask) -> None:
    def render_error(status: int, template: str):
        def handler(error):
            return render_template(template, error=error), status

        return handler

    app.register_error_handler(400, render_error(400, "errors/400.html"))
    app.register_error_handler(403, render_error(403, "errors/403.html"))
    app.register_error_handler(404, render_error(404, "errors/404.html"))
    app.register_error_handler(413, render_error(413, "errors/413.html"))
    app.register_error_handler(429, render_error(429, "errors/429.html"))
    app.register_error_handler(500, render_error(500, "errors/500.html"))
