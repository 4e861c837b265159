"""Settings for bench_availability.py only: the project's settings plus a bench URL module."""

from pichanaki.settings import *  # noqa: F403

ROOT_URLCONF = "bench.availability_urls"

# The reservation race answers many expected 409s; log only errors from the server.
LOGGING = {**LOGGING, "handlers": {"console": {"class": "logging.StreamHandler", "level": "ERROR"}}}  # noqa: F405
