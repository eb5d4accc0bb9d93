"""Case numbers without gaps: a refused, repeated or rolled-back report takes no number."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import CaseCounter, Report
from app.reports.rules import NewReport
from app.reports.service import file_report
from tests.factories import MITTE, WUPPERTAL
from tests.helpers import category_id, form_data, post_report


def _numbers() -> list[int]:
    rows = db.session.scalars(select(Report.case_number).order_by(Report.id))
    return [int(n.split("-")[1]) for n in rows]


def _year() -> str:
    return str(datetime.now(UTC).astimezone().year)


def test_refused_and_repeated_reports_leave_no_gap(client):
    assert post_report(client, form_data()).status_code == 302
    outside = form_data(lat=str(WUPPERTAL[0]), lon=str(WUPPERTAL[1]))
    assert post_report(client, outside).status_code == 422
    again = form_data()
    assert post_report(client, again).status_code == 302
    assert post_report(client, again).status_code == 302  # the same form sent twice: one report
    assert post_report(client, form_data(description="x" * 5000)).status_code == 422
    assert post_report(client, form_data()).status_code == 302
    numbers = _numbers()
    assert len(numbers) == 3 and numbers == list(range(numbers[0], numbers[0] + 3))
    counter = db.session.get_one(CaseCounter, int(_year()))
    assert counter.last == numbers[-1]


def test_a_rolled_back_report_gives_its_number_back(client, make_report):
    first = make_report()
    attempt = db.session.begin_nested()
    file_report(NewReport(category_id(), "Laterne", *MITTE), [])
    attempt.rollback()
    third = make_report()
    assert int(third.case_number.split("-")[1]) == int(first.case_number.split("-")[1]) + 1
    assert third.case_number.startswith(_year() + "-")


def test_real_reports_continue_above_generated_ones(client, make_report):
    from app.demo.service import generate_reports

    make_report()
    generate_reports(30)
    db.session.commit()
    newest = make_report()
    year = newest.case_number.split("-")[0]
    same_year = [n for n in db.session.scalars(select(Report.case_number)) if n.startswith(year)]
    assert newest.case_number == max(same_year, key=lambda n: int(n.split("-")[1]))
