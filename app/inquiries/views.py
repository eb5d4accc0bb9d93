"""The reporter's answer page (/rueckfrage/<token>): public, German, no login — the random
token in the mailed link is the proof. Nothing is stored unless the answer is taken."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import TooManyRequests

from app.extensions import db, limiter
from app.inquiries import service
from app.models import Inquiry, Report
from app.reports.characters import shown_again
from app.security import private

bp = Blueprint("inquiries", __name__)

GONE_STATUS = {"unknown": 404, "answered": 410, "expired": 410}


def _answer_limit() -> str:
    return current_app.config["RATELIMIT_INQUIRY"]


@bp.route("/rueckfrage/<token>", methods=["GET", "POST"])
@limiter.limit(_answer_limit, methods=["POST"])
def answer(token: str):
    try:
        inquiry = service.usable(token, lock=request.method == "POST")
    except service.LinkUnusable as unusable:
        return _gone(unusable)
    if request.method == "GET":
        return _page(inquiry)
    try:
        service.answer(token, request.form.get("antwort"))
    except service.AnswerRefused as refused:
        db.session.rollback()
        return _page(inquiry, str(refused), request.form.get("antwort"), 422)
    case_number = inquiry.report.case_number
    db.session.commit()
    flash(f"Ihre Antwort zur Meldung {case_number} ist bei uns eingegangen.", "ok")
    return redirect(url_for(".thanks"), 303)


@bp.route("/rueckfrage/danke")
def thanks():
    return private(make_response(render_template("inquiries/thanks.html")))


def _page(inquiry: Inquiry, error: str | None = None, typed: str | None = None, status: int = 200):
    page = render_template(
        "inquiries/answer.html",
        inquiry=inquiry,
        report=inquiry.report,
        error=error,
        typed=shown_again(typed, current_app.config["DESCRIPTION_MAX_LENGTH"]),
        limit=current_app.config["DESCRIPTION_MAX_LENGTH"],
    )
    return private(make_response(page, status))


def _gone(unusable: service.LinkUnusable):
    """Why the link does not work (a forged one learns nothing about any report)."""
    found = unusable.inquiry
    page = render_template(
        "inquiries/gone.html",
        reason=unusable.reason,
        case_number=found.report.case_number if found is not None else None,
    )
    return private(make_response(page, GONE_STATUS[unusable.reason]))


@bp.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests):
    page = render_template("inquiries/gone.html", reason="limit", case_number=None)
    return private(make_response(page, 429))


# For the staff pages: the report page's questions, and the "Rückfrage offen" badge in lists.


@bp.app_template_global()
def report_inquiries(report: Report) -> list[Inquiry]:
    return service.of_report(report)


@bp.app_template_global()
def inquiry_state(inquiry: Inquiry) -> str:
    return inquiry.state(datetime.now(UTC))


@bp.app_template_global()
def open_inquiries(reports: list[Report]) -> set[int]:
    return service.open_for([r.id for r in reports])
