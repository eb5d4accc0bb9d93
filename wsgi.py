"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import gc

from app import create_app

app = create_app()
# What the app made at start-up lives as long as the process: out of the collector's sight, a
# full collection scans only what requests leave behind (it took ~50 ms, a map answer's p95
# jump, with everything in view), and forked gunicorn workers keep sharing those pages.
gc.freeze()
