"""The app on the bench database, for gunicorn in bench/endpoints.py."""

import gc

from common import bench_config

from app import create_app

app = create_app(bench_config())
gc.freeze()  # as wsgi.py does
