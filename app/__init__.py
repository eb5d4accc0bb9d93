"""Mängelmelder: a defect reporter for German cities."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import (
    accesslog,
    compression,
    errors,
    replica,
    security,
    static_files,
    templating,
    timing,
)
from app.extensions import babel, csrf, db, limiter, migrate


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the application; tests pass a config class or a dict of overrides."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config.Config")
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config["PROXY_FIX"]:
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    # First registered, last run: it compresses what every other hook made of the answer.
    compression.init_app(app)
    replica.init_app(app)  # before the engines are made: the replica is one of them
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), compare_type=True)
    csrf.init_app(app)
    babel.init_app(app)
    limiter.init_app(app)

    from app import models  # noqa: F401  (registers the models with SQLAlchemy)
    from app.addresses.cli import addresses_cli
    from app.addresses.views import bp as addresses_bp
    from app.admin import mails, views  # noqa: F401  (both add their pages to admin_bp)
    from app.admin.blueprint import bp as admin_bp
    from app.alerts.cli import alerts_cli
    from app.alerts.views import bp as alerts_bp
    from app.auth import views as auth
    from app.auth.cli import users_cli
    from app.cityapp import views as cityapp
    from app.demo.cli import demo_cli
    from app.districts.cli import districts_cli
    from app.exchange.cli import bodies_cli, exchange_cli
    from app.feedback.views import bp as feedback_bp
    from app.inquiries.views import bp as inquiries_bp
    from app.map.views import bp as map_bp
    from app.media import storage
    from app.media.cli import media_cli
    from app.nearby.views import bp as nearby_bp
    from app.notifications.cli import outbox_cli
    from app.notifications.views import bp as notifications_bp
    from app.open311.cli import open311_cli
    from app.open311.views import bp as open311_bp
    from app.privacy.cli import privacy_cli
    from app.public.opendata_views import bp as opendata_bp
    from app.public.views import bp as public_bp
    from app.redaction import views as redaction_views
    from app.reports.views import bp as reports_bp
    from app.staff import bulk_views, offline, search_views  # noqa: F401  (add their pages to staff_bp)
    from app.staff.views import bp as staff_bp
    from app.stats.cli import stats_cli
    from app.stats.views import bp as stats_bp
    from app.support.views import bp as support_bp

    storage.init_app(app)
    redaction_views.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(map_bp)
    app.register_blueprint(addresses_bp)
    app.register_blueprint(nearby_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(inquiries_bp)
    app.register_blueprint(feedback_bp)
    auth.init_app(app)
    # Open311 clients are other systems, not browsers with our forms: filing needs an API key.
    csrf.exempt(open311_bp)
    app.register_blueprint(open311_bp)
    cityapp.init_app(app)
    app.cli.add_command(districts_cli)
    app.cli.add_command(addresses_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(open311_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(bodies_cli)
    app.cli.add_command(exchange_cli)
    errors.init_app(app)
    accesslog.init_app()
    security.init_app(app)
    # After security: its headers go on the replay answers that offline's hook makes.
    offline.init_app(app)  # the staff area's manifest, service worker and replay answers
    templating.init_app(app)
    static_files.init_app(app)
    timing.init_app(app)
    replica.init_routing(app)  # after the login hooks: it asks who is logged in
    app.teardown_request(_rollback_on_error)
    return app


def _rollback_on_error(error: BaseException | None) -> None:
    # Explicit, so that photo files written by a failed request are removed too.
    if error is not None:
        db.session.rollback()
