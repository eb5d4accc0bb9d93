"""Forwarding jobs on the admin page: the list and its filter, a new try for a failed or
waiting job, and a clear refusal for every other one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.exchange.jobs import JobNotRetryable, case_numbers, job_list, retry
from app.extensions import db
from app.models import Body, ExchangeJob, JobState
from tests.admin_support import count, page_text

LABELS = {
    JobState.PENDING: "Wartet",
    JobState.RUNNING: "Läuft",
    JobState.RETRY: "Neuer Versuch geplant",
    JobState.DONE: "Erledigt",
    JobState.FAILED: "Fehlgeschlagen",
}


@pytest.fixture
def jobs(make_report) -> dict[JobState, ExchangeJob]:
    """One job per state, each for its own report, to a body that takes e-mail."""
    body = Body(name="Stadt Haan", email="meldungen@haan.example")
    made = {}
    for state in JobState:
        report = make_report(description=f"Laterne dunkel ({state}).")
        made[state] = ExchangeJob(
            report_id=report.id,
            body=body,
            state=state,
            attempts=3,
            last_error="HTTP 503: gewartet" if state in (JobState.RETRY, JobState.FAILED) else None,
            remote_id="HAAN-42" if state == JobState.DONE else None,
            run_after=datetime(2030, 1, 1, tzinfo=UTC),
        )
        db.session.add(made[state])
    db.session.commit()
    return made


def case(job: ExchangeJob) -> str:
    return case_numbers([job])[job.report_id]


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return body.split("</tr>")[:-1]


def test_the_list_shows_every_job_with_its_facts(admin, jobs):
    page = page_text(admin.get("/admin/weiterleitungen"))
    assert len(rows(page)) == len(JobState)
    for state, job in jobs.items():
        row = next(r for r in rows(page) if f'href="/staff/meldungen/{case(job)}"' in r)
        assert LABELS[state] in row and "Stadt Haan" in row and f"<td>{job.id}</td>" in row
        assert ("Erneut versuchen" in row) == (state in (JobState.RETRY, JobState.FAILED))
    assert "HAAN-42" in page and "HTTP 503: gewartet" in page


@pytest.mark.parametrize("state", list(JobState))
def test_the_filter_shows_one_state(admin, jobs, state):
    page = page_text(admin.get(f"/admin/weiterleitungen?status={state.value}"))
    link = f'href="/staff/meldungen/{case(jobs[state])}"'
    assert [link in row for row in rows(page)] == [True]


@pytest.mark.parametrize("value", ["offen", "pending' OR 1=1--", "x" * 5000])
def test_an_unknown_filter_is_named_and_ignored(admin, jobs, value):
    response = admin.get("/admin/weiterleitungen", query_string={"status": value})
    assert response.status_code == 200
    assert "Unbekannter Filterwert wird ignoriert: status" in page_text(response)
    assert len(rows(page_text(response))) == len(JobState)


def test_the_case_links_to_the_staff_page(admin, jobs):
    response = admin.get(f"/staff/meldungen/{case(jobs[JobState.FAILED])}")
    assert response.status_code == 200


@pytest.mark.parametrize("state", [JobState.FAILED, JobState.RETRY])
def test_retry_makes_the_job_due_now(admin, jobs, state):
    job = jobs[state]
    response = admin.post(f"/admin/weiterleitungen/{job.id}/erneut")
    assert response.status_code == 302
    assert f"Der Auftrag Nr. {job.id} wird gleich erneut versucht." in page_text(
        admin.get(response.headers["Location"])
    )
    db.session.refresh(job)
    assert (job.state, job.attempts, job.last_error) == ("pending", 0, "HTTP 503: gewartet")
    # Due now (the fixture's jobs waited until 2030), by the database's clock as the worker's.
    assert job.run_after <= db.session.scalar(select(func.now()))


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (JobState.DONE, "ist bereits erledigt und kann nicht erneut versucht werden"),
        (JobState.RUNNING, "ist gerade in Arbeit"),
        (JobState.PENDING, "ist bereits zum Senden vorgemerkt"),
    ],
)
def test_other_jobs_cannot_be_retried(admin, jobs, state, message):
    job = jobs[state]
    response = admin.post(f"/admin/weiterleitungen/{job.id}/erneut")
    assert response.status_code == 409
    assert f"Der Auftrag Nr. {job.id} {message}" in page_text(response)
    db.session.refresh(job)
    assert (job.state, job.attempts) == (state, 3)


@pytest.mark.parametrize("job_id", ["999999", "99999999999999999999"])
def test_retrying_an_unknown_job_is_not_found(admin, jobs, job_id):
    assert admin.post(f"/admin/weiterleitungen/{job_id}/erneut").status_code == 404


def test_retry_refuses_unknown_ids_itself(app, jobs):
    with pytest.raises(JobNotRetryable, match="gibt es nicht"):
        retry(2**63)
    with pytest.raises(JobNotRetryable, match="gibt es nicht"):
        retry(jobs[JobState.DONE].id + 1000)


def test_job_list_is_newest_first_and_limited(app, jobs):
    listed = job_list()
    assert [j.id for j in listed] == sorted((j.id for j in jobs.values()), reverse=True)
    assert len(job_list(limit=2)) == 2
    assert [j.id for j in job_list(JobState.FAILED)] == [jobs[JobState.FAILED].id]


@pytest.mark.parametrize("who", ["dispatcher", "crew_light"])
def test_only_admins_see_and_retry_jobs(client, login_as, jobs, who):
    failed = jobs[JobState.FAILED]
    login_as(who)
    assert client.get("/admin/weiterleitungen").status_code == 403
    assert client.post(f"/admin/weiterleitungen/{failed.id}/erneut").status_code == 403
    db.session.refresh(failed)
    assert failed.state == JobState.FAILED and count(ExchangeJob) == len(JobState)


def test_the_overview_links_both_pages(admin):
    page = page_text(admin.get("/admin/"))
    assert 'href="/admin/stellen"' in page and 'href="/admin/weiterleitungen"' in page


def test_retry_needs_csrf(admin, app, monkeypatch, jobs):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    failed = jobs[JobState.FAILED]
    assert admin.post(f"/admin/weiterleitungen/{failed.id}/erneut").status_code == 400
    db.session.refresh(failed)
    assert failed.state == JobState.FAILED
