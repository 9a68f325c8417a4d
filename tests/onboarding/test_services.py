"""Onboarding services beyond the HTTP tests: the session's life cycle rules, and the OpenCode reload after
an apply against a real OpenCode (a loopback process, tests/support)."""

import pytest

from onboarding import services
from onboarding.models import OnboardingSession
from sandboxes.credentials import opencode_password
from sandboxes.opencode import OpenCodeClient
from tests.factories import OnboardingSessionFactory, SandboxFactory

pytestmark = pytest.mark.django_db


def test_create_for_a_sandbox_with_a_session_returns_it(user):
    existing = OnboardingSessionFactory(user=user)
    session, created = services.session_create(user=user, sandbox_id=existing.sandbox_id)
    assert (session.pk, created) == (existing.pk, False)


def test_a_deleted_sandbox_leaves_a_session_without_one(user):
    session = OnboardingSessionFactory(user=user)
    session.sandbox.delete()
    session.refresh_from_db()
    assert session.sandbox_id is None
    assert services.session_sandbox_validate(session=session) == {
        "valid": False,
        "errors": ["Session has no associated sandbox"],
    }


def test_reload_makes_opencode_read_the_new_project_config(user, opencode_factory, tmp_path):
    sandbox = SandboxFactory(user=user, status="running")
    process = opencode_factory(workspace=tmp_path, password=opencode_password(sandbox.pk))
    sandbox.opencode_url = process.base_url
    sandbox.save()
    with OpenCodeClient(process.endpoint) as opencode:
        assert "reviewer" not in {agent["name"] for agent in opencode.agents()}
    (tmp_path / ".opencode" / "agent").mkdir(parents=True)
    (tmp_path / ".opencode" / "agent" / "reviewer.md").write_text(
        '---\ndescription: "Reviews"\nmode: "subagent"\n---\nReview.\n'
    )

    assert services._reload_opencode(sandbox) is True

    with OpenCodeClient(process.endpoint) as opencode:
        assert "reviewer" in {agent["name"] for agent in opencode.agents()}
        assert opencode.health()["healthy"] is True  # reloaded, not ended (a SIGHUP would end it)


def test_reload_of_an_unreachable_opencode_is_false(user):
    sandbox = SandboxFactory(user=user, status="running", opencode_url="http://127.0.0.1:9")
    assert services._reload_opencode(sandbox) is False
    assert OnboardingSession.objects.count() == 0
