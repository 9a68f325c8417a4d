"""Onboarding fixtures: the real container engine of the sandbox tests, for apply, config and validate."""

from tests.sandboxes.conftest import (  # noqa: F401 - registered as fixtures here
    backend,
    docker_engine,
    engine,
)
