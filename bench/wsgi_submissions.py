"""The app on the submissions' bench database, for gunicorn in bench/submissions.py: the
Open311 key limit on (as in production), but far above the bench's pace."""

from common import bench_config

from app import create_app

Base = bench_config("maengelmelder_bench_submissions", "BENCH_SUBMISSIONS_DATABASE_URL")


class SubmissionsConfig(Base):  # type: ignore[misc, valid-type]
    RATELIMIT_ENABLED = True
    RATELIMIT_OPEN311_KEY = "1000000 per minute"


app = create_app(SubmissionsConfig)
