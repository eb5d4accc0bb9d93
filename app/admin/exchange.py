"""The admin pages of the exchange: other bodies ("Zuständige Stellen") that take reports, and
the jobs that forward reports to them. app.exchange checks and changes; each request commits
once, here. A body's Open311 key is a secret of theirs: no page shows it."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.admin import forms, service
from app.admin.blueprint import bp
from app.admin.service import AdminError
from app.exchange.bodies import BodyRefused, BodySpec, add_body, remove_body
from app.exchange.jobs import RETRYABLE, JobNotRetryable, case_numbers, job_list, retry
from app.extensions import db
from app.models import Body, ExchangeJob, JobState
from app.reports.service import active_categories

Page = tuple[str, int]

STATE_LABELS = {
    JobState.PENDING: _l("Wartet"),
    JobState.RUNNING: _l("Läuft"),
    JobState.RETRY: _l("Neuer Versuch geplant"),
    JobState.DONE: _l("Erledigt"),
    JobState.FAILED: _l("Fehlgeschlagen"),
}


# --- bodies -------------------------------------------------------------------------------------


def _body_form() -> forms.BodyForm:
    return forms.BodyForm(
        categories=[(c.code, c.name_de) for c in active_categories()],
        partner_keys=service.partner_key_names(),
    )


@bp.route("/stellen", methods=["GET", "POST"])
def bodies() -> Page | Response:
    form = _body_form()
    if request.method != "POST":
        return _bodies_page(form)
    body = _added(form) if form.validate() else None
    if body is None:
        return _bodies_page(form, 422)
    message = _("Stelle „%(name)s“ angelegt.", name=body.name)
    if body.open311_url:
        mapped = _("%(n)d Kategorien ihren Diensten zugeordnet.", n=len(body.service_codes))
        message = f"{message} {mapped}"
    flash(message, "ok")
    return redirect(url_for(".bodies"))


def _added(form: forms.BodyForm) -> Body | None:
    """The new body, committed; None with the reasons next to their fields."""
    area = None
    if getattr(form.area.data, "filename", None):
        try:
            limit = current_app.config["DISTRICT_FILE_MAX_BYTES"]
            area = service.read_area(form.area.data.stream, limit)
        except AdminError as exc:
            form.area.errors = [str(exc)]
            return None
    spec = BodySpec(
        name=form.name.data or "",
        email=form.email.data,
        open311_url=form.open311_url.data,
        api_key=form.api_key.data,
        jurisdiction=form.jurisdiction.data,
        area_geojson=area,
        categories=form.categories.data or [],
        partner_key=form.partner_key.data or None,
    )
    try:
        body = add_body(spec)
        db.session.commit()
    except BodyRefused as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            form[name].errors = [*form[name].errors, message]
        return None
    except IntegrityError:
        # Two admins adding the same name at the same moment: the database has the last word.
        db.session.rollback()
        form.name.errors = [_("Diese Stelle wurde inzwischen schon angelegt.")]
        return None
    return body


def _bodies_page(form: forms.BodyForm, status: int = 200) -> Page:
    limit = current_app.config["DISTRICT_FILE_MAX_BYTES"]
    page = render_template("admin/bodies.html", form=form, rows=service.body_rows(), limit=limit)
    return page, status


@bp.route("/stellen/<int:body_id>/entfernen", methods=["GET", "POST"])
def body_removal(body_id: int) -> Page | Response:
    body = db.session.get(Body, body_id) if 0 < body_id < 2**31 else None  # integer ids
    if body is None:
        abort(404)
    if request.method != "POST":
        return _removal_page(body, forms.RemoveBodyForm(formdata=None))
    form = forms.RemoveBodyForm()
    if not form.validate():
        return _removal_page(body, form, 422)
    remove_body(body.name)
    db.session.commit()
    flash(_("Stelle „%(name)s“ entfernt.", name=body.name), "ok")
    return redirect(url_for(".bodies"))


def _removal_page(body: Body, form: forms.RemoveBodyForm, status: int = 200) -> Page:
    jobs, reports = service.body_ties(body)
    page = render_template(
        "admin/body_removal.html", body=body, form=form, jobs=jobs, reports=reports
    )
    return page, status


# --- forwarding jobs ----------------------------------------------------------------------------


@bp.route("/weiterleitungen")
def exchange_jobs() -> Page:
    state = request.args.get("status", "")
    if state and state not in STATE_LABELS:
        flash(_("Unbekannter Filterwert wird ignoriert: %(key)s", key="status"), "error")
        state = ""
    return _jobs_page(state or None)


def _jobs_page(state: str | None, status: int = 200) -> Page:
    jobs = job_list(state)
    page = render_template(
        "admin/exchange_jobs.html",
        jobs=jobs,
        cases=case_numbers(jobs),
        state=state,
        labels=STATE_LABELS,
        retryable=RETRYABLE,
    )
    return page, status


@bp.route("/weiterleitungen/<int:job_id>/erneut", methods=["POST"])
def retry_exchange_job(job_id: int) -> Page | Response:
    # Ids beyond PostgreSQL's bigint would make the query fail instead of finding nothing.
    if not 0 < job_id < 2**63 or db.session.get(ExchangeJob, job_id) is None:
        abort(404)
    try:
        retry(job_id)
    except JobNotRetryable as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _jobs_page(None, 409)
    db.session.commit()
    flash(_("Der Auftrag Nr. %(id)d wird gleich erneut versucht.", id=job_id), "ok")
    return redirect(url_for(".exchange_jobs"))
