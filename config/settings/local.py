"""Development settings: `make run` on the embedded database, DEBUG on unless the environment says no."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Development only: a fixed key so sessions survive restarts. production.py has no default at all.
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
