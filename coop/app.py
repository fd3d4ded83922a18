"""The application factory and composition root.

``create_app`` reads the settings, binds the extensions, registers the kernel's and the domain
packages' blueprints and jobs, and returns the app. It never touches the schema: migrations run
only through ``flask --app wsgi coop init``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from coop import access, audit, db, decisions, money, pages, web
from coop.auth.views import bp as auth_bp
from coop.auth.views import load_user
from coop.cli import coop_cli
from coop.extensions import babel, csrf, login_manager
from coop.platform import bp as platform_bp
from coop.views import bp as coop_bp
from coop.views import home_bp
from ledger.cli import ledger_cli
from ledger.views import bp as ledger_bp
from members.cli import members_cli
from members.views import bp as members_bp
from minga.views import bp as minga_bp
from meetings.views import bp as meetings_bp
from meetings.observatory.views import bp as observatory_bp

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build an Ayllu application for ``config_name`` (default: COOP_ENV), with ``overrides``."""
    app = Flask(__name__, template_folder=str(PROJECT_DIR / "templates"),
                instance_path=str(PROJECT_DIR / "instance"))
    app.config.update(load_config(config_name))
    if overrides:
        app.config.update(overrides)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    web.init_app(app)
    db.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    csrf.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_jobs()
    app.cli.add_command(coop_cli)
    app.cli.add_command(members_cli)
    app.cli.add_command(ledger_cli)
    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are checked server-side instead
    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    for blueprint in (auth_bp, home_bp, coop_bp, platform_bp, members_bp, ledger_bp, minga_bp, meetings_bp,
                      observatory_bp):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers():
        return {"can": access.can, "coop_nav": access.coop_nav,
                "action_label": audit.action_label, "decision_link": decisions.link,
                "audit_summary": audit.summary_text, "audit_changes": audit.changes_of,
                "current_coop": g.get("coop"), "current_user": current_user,
                "language": str(get_locale() or "es").split("_")[0]}

    # globals rather than context: imported macros (the pager) see them too
    app.add_template_global(pages.this_url, "this_url")
    app.add_template_global(pages.query_args, "query_args")

    @app.template_filter("money")
    def _money(minor: int, currency: str | None = None) -> str:
        currency = currency or (g.coop.currency if g.get("coop") is not None else "USD")
        return money.format_money(money.Money(int(minor), currency), str(get_locale()))


def _register_jobs() -> None:
    # Importing a jobs module registers its jobs (and a demo module its demo data).
    import coop.jobs  # noqa: F401
    import ledger.jobs  # noqa: F401
    import members.demo  # noqa: F401
    import ledger.demo  # noqa: F401  (after the register: it charges its members)
    import members.jobs  # noqa: F401
    import minga.jobs  # noqa: F401
    import minga.reminders  # noqa: F401
    import meetings.reminders  # noqa: F401
    import meetings.observatory.question_jobs  # noqa: F401
    import minga.demo  # noqa: F401  (after the books: its fine run charges members)
    import meetings.demo  # noqa: F401  (after the books and Minga: the roll reads arrears)
    import meetings.observatory.demo  # noqa: F401  (after the assemblies: one decided last year's budget)
