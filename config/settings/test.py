"""Test settings: the embedded PostgreSQL (never SQLite), fast hashing, hermetic e-mail."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"
CRYPTOGRAPHY_KEY = "test-only-cryptography-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# One test database per run, so two suites on the same embedded server (two checkouts, a developer
# and CI) never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_agentpod_{os.getpid()}"}  # noqa: F405
DATABASES["default"]["OPTIONS"]["pool"]["timeout"] = 1.0  # noqa: F405 - the database-down tests wait this long
SANDBOX_CONFIG_PUSH_INLINE = True
# Test containers never get a network: no test traffic can reach any address range.
SANDBOX_NETWORK_MODE = "none"
# No embeddings API unless a test starts its own loopback one (tests/knowledge/embeddings_server.py).
KNOWLEDGE_EMBEDDINGS_URL = ""
KNOWLEDGE_EMBEDDINGS_API_KEY = ""
