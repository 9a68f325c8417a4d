"""Test settings: the embedded PostgreSQL (never SQLite), fast hashing, hermetic e-mail."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"
CRYPTOGRAPHY_KEY = "test-only-cryptography-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
