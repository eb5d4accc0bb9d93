"""The answer pages of "Ist der Mangel behoben?" (/behoben/<token>/ja|nein): public, no
login — the signed link in the reporter's mail is the proof. A GET only shows the question
with one button, so link scanners that open every link answer nothing."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.extensions import db
from app.feedback import service
from app.feedback.asking import ANSWERS, deadline
from app.models import Report, ResolutionFeedback
from app.public.projection import public_report
from app.reports.characters import shown_again
from app.security import private

bp = Blueprint("feedback", __name__)

GONE_STATUS = {"unknown": 404, "answered": 410, "changed": 410, "expired": 410}


@bp.route("/behoben/<token>/<answer>", methods=["GET", "POST"])
def answer(token: str, answer: str):
    if answer not in ANSWERS:
        abort(404)
    try:
        feedback = service.usable(token, lock=request.method == "POST")
    except service.Unusable as unusable:
        db.session.rollback()
        return _gone(unusable)
    if request.method == "GET":
        return _page(feedback, answer)
    typed = request.form.get("kommentar")
    try:
        if answer == "ja":
            service.confirm(feedback)
        else:
            service.reopen(feedback, typed)
    except service.CommentRefused as refused:
        db.session.rollback()
        return _page(service.usable(token), answer, str(refused), typed, 422)
    case_number = feedback.report.case_number
    db.session.commit()
    if answer == "ja":
        flash(_("Ihre Bestätigung zur Meldung %(n)s ist bei uns eingegangen.", n=case_number), "ok")
    else:
        flash(_("Die Meldung %(n)s ist wieder offen.", n=case_number), "ok")
    return redirect(url_for(".thanks", answer=answer), 303)


@bp.route("/behoben/danke/<answer>")
def thanks(answer: str):
    if answer not in ANSWERS:
        abort(404)
    return private(make_response(render_template("feedback/thanks.html", answer=answer)))


def _page(
    feedback: ResolutionFeedback,
    answer: str,
    error: str | None = None,
    typed: str | None = None,
    status: int = 200,
):
    page = render_template(
        "feedback/answer.html",
        answer=answer,
        report=public_report(feedback.report),
        feedback=feedback,
        until=deadline(feedback),
        error=error,
        typed=shown_again(typed, service.COMMENT_LIMIT),
        limit=service.COMMENT_LIMIT,
    )
    return private(make_response(page, status))


def _gone(unusable: service.Unusable):
    """Why the link does not work; a forged one learns nothing about any report. After
    REOPEN_DAYS the page offers a new report at the same place."""
    found = unusable.feedback
    page = render_template(
        "feedback/gone.html",
        reason=unusable.reason,
        report=public_report(found.report) if found is not None else None,
        answered=found.answer if found is not None else None,
    )
    return private(make_response(page, GONE_STATUS[unusable.reason]))


@bp.app_template_global()
def reopen_comments(report: Report) -> list[ResolutionFeedback]:
    """For the staff report page: the reporter's comments to "nicht behoben"."""
    return service.comments_of(report)
