"""The admin's view of the mail outbox: what waits, and what failed for good (and why)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.admin.blueprint import bp
from app.extensions import db
from app.models import OutboxMail

SHOWN = 100


@bp.route("/e-mails")
def mails():
    counts = dict(
        db.session.execute(select(OutboxMail.state, func.count()).group_by(OutboxMail.state)).all()
    )
    troubled = db.session.scalars(
        select(OutboxMail)
        .where(
            (OutboxMail.state == "failed")
            | ((OutboxMail.state != "sent") & (OutboxMail.attempts > 0))
        )
        .order_by(OutboxMail.created_at.desc())
        .limit(SHOWN)
    )
    return render_template("admin/mails.html", counts=counts, mails=list(troubled))


@bp.route("/e-mails/<int:mail_id>/erneut", methods=["POST"])
def retry_mail(mail_id: int):
    mail = db.session.get(OutboxMail, mail_id) if 0 < mail_id < 2**62 else None
    if mail is None:
        abort(404)
    if mail.state == "failed":
        mail.state, mail.attempts = "pending", 0
        mail.next_attempt_at = datetime.now(UTC)
        db.session.commit()
        flash(_("Die E-Mail wird erneut versucht."), "ok")
    return redirect(url_for(".mails"))
