"""What a sandbox's container is made of (no engine needed): spec, labels, environment, credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from containers.models import ResourceTier
from containers.services import GIB
from providers.selectors import opencode_auth_entries
from sandboxes.credentials import opencode_password, sandbox_api_token, sandbox_id_from_token
from sandboxes.orchestrator import get_orchestrator
from sandboxes.specs import SandboxSpecInvalid, container_spec
from sandboxes.states import sandbox_status_for
from settings_app.selectors import opencode_user_config
from tests.factories import (
    ProviderCredentialFactory,
    SandboxFactory,
    UserOpencodeConfigFactory,
    UserOpencodeFileFactory,
)

from .fakes import FakeOrchestrator

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(user):
    return SandboxFactory(user=user, flavor_id="python", resource_tier_id="builder",
                          addon_ids=["gui", "code-server"])


def test_the_spec_comes_from_the_reference_data_and_settings(settings, sandbox, user):
    settings.SANDBOX_CONTAINER_PREFIX = "agentpod"
    settings.SANDBOX_NETWORK_MODE = "agentpod-net"
    settings.SANDBOX_IMAGE_REGISTRY = "ghcr.io"
    settings.SANDBOX_IMAGE_OWNER = "acme"
    settings.SANDBOX_IMAGE_TAG = "0.4.0"
    settings.SANDBOX_EXTRA_LABELS = {"team": "a"}

    spec = container_spec(sandbox)

    assert spec.name == f"agentpod-{sandbox.pk}"
    assert spec.image == "ghcr.io/acme/codeopen-python:0.4.0"
    assert (spec.memory_bytes, spec.memory_reservation_bytes, spec.nano_cpus, spec.pids_limit) == (
        4 * GIB, 3 * GIB, 2 * 10**9, 512)
    assert spec.exposed_ports == [4096, 6080, 8080]  # OpenCode, then the addons' ports
    assert spec.network_mode == "agentpod-net"
    assert spec.labels["team"] == "a" and spec.labels["agentpod.sandbox.user"] == user.pk
    assert "agentpod.sandbox.github" not in spec.labels
    assert spec.env["GUI_ENABLED"] == spec.env["CODE_SERVER_ENABLED"] == "true"
    assert "OPENCODE_AUTH_JSON" not in spec.env and "OPENCODE_USER_CONFIG" not in spec.env
    assert "ONBOARDING_MODE" not in spec.env
    assert spec.requires_gpu is False


def test_the_environment_never_shows_in_a_repr(sandbox, user):
    ProviderCredentialFactory(user=user, provider_id="openai", api_key="sk-secret-value-123456")
    spec = container_spec(sandbox)
    assert "sk-secret-value-123456" in spec.env["OPENCODE_AUTH_JSON"]
    assert "sk-secret-value-123456" not in repr(spec)


def test_the_container_gets_its_own_credentials_never_the_service_token(settings, sandbox):
    settings.API_TOKEN = "service-token-0123456789"
    settings.PUBLIC_URL = "https://api.example.com"
    env = container_spec(sandbox, extra_env={"ONBOARDING_MODE": "false"}).env
    assert env["AGENTPOD_API_TOKEN"] == sandbox_api_token(sandbox.pk)
    assert sandbox_id_from_token(env["AGENTPOD_API_TOKEN"]) == sandbox.pk
    assert env["OPENCODE_SERVER_PASSWORD"] == opencode_password(sandbox.pk)
    assert "service-token-0123456789" not in json.dumps(env)
    assert env["MANAGEMENT_API_URL"] == "https://api.example.com"
    assert env["ONBOARDING_MODE"] == "false"


def test_each_sandbox_has_different_credentials_and_a_forged_token_is_refused():
    assert sandbox_api_token("sandbox-one") != sandbox_api_token("sandbox-two")
    assert opencode_password("sandbox-one") != opencode_password("sandbox-two")
    token = sandbox_api_token("sandbox-one")
    assert sandbox_id_from_token(token.replace("sandbox-one", "sandbox-two")) is None
    assert sandbox_id_from_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert sandbox_id_from_token("agentpod-sandbox.x") is None


def test_credentials_in_opencode_format(user, other_user):
    ProviderCredentialFactory(user=user, provider_id="anthropic", auth_type="api_key", api_key="sk-a")
    ProviderCredentialFactory(user=user, provider_id="github-copilot", auth_type="device_flow", api_key=None,
                              access_token="gho_token",
                              token_expires_at=datetime(2026, 1, 1, tzinfo=UTC))
    ProviderCredentialFactory(user=user, provider_id="opencode", auth_type="oauth", api_key=None,
                              access_token="oc_token")
    ProviderCredentialFactory(user=user, provider_id="empty", auth_type="api_key", api_key=None)
    ProviderCredentialFactory(user=other_user, provider_id="openai", api_key="sk-other")

    assert opencode_auth_entries(user_id=user.pk) == {
        "anthropic": {"type": "api", "key": "sk-a"},
        "github-copilot": {"type": "oauth", "refresh": "gho_token", "access": "gho_token",
                           "expires": 1767225600000},
        "opencode": {"type": "oauth", "refresh": "oc_token", "access": "oc_token", "expires": 0},
    }


def test_the_user_config_as_the_config_endpoint_shows_it(user, other_user):
    assert opencode_user_config(user_id=user.pk) is None
    UserOpencodeFileFactory(user=user, type="tool", name="b", extension="ts", content="x")
    UserOpencodeFileFactory(user=user, type="agent", name="z", extension="md", content="y")
    assert opencode_user_config(user_id=user.pk) == {"settings": {}, "files": [
        {"type": "agent", "name": "z", "extension": "md", "content": "y"},
        {"type": "tool", "name": "b", "extension": "ts", "content": "x"}]}
    UserOpencodeConfigFactory(user=user, settings={"a": 1}, agents_md="md")
    config = opencode_user_config(user_id=user.pk)
    assert (config["settings"], config["agents_md"]) == ({"a": 1}, "md")
    assert json.dumps(config)  # what OPENCODE_USER_CONFIG carries


def test_an_onboarding_session_turns_onboarding_on(sandbox, user):
    from tests.factories import OnboardingSessionFactory

    session = OnboardingSessionFactory(user=user, sandbox=sandbox)
    env = container_spec(sandbox).env
    assert (env["ONBOARDING_MODE"], env["ONBOARDING_SESSION_ID"]) == ("true", session.pk)


def test_a_gpu_addon_needs_a_gpu_host(settings, user):
    sandbox = SandboxFactory(user=user, flavor_id="js", addon_ids=["gpu"])
    with pytest.raises(SandboxSpecInvalid) as caught:
        container_spec(sandbox)
    assert caught.value.body()["details"] == "Addon 'gpu' requires GPU support"
    settings.SANDBOX_GPU_AVAILABLE = True
    assert container_spec(sandbox).requires_gpu is True


def test_a_sandbox_without_flavor_or_tier_gets_the_defaults(settings, user):
    settings.SANDBOX_IMAGE_REGISTRY = ""
    settings.SANDBOX_IMAGE_TAG = "0.4.0"
    sandbox = SandboxFactory(user=user, flavor_id=None, resource_tier_id=None, addon_ids=None)
    spec = container_spec(sandbox)
    assert spec.image == "codeopen-fullstack:0.4.0"
    assert spec.memory_bytes == ResourceTier.objects.get(pk="starter").memory_gb * GIB


def test_the_configured_backend_is_returned(settings, sandbox):
    settings.SANDBOX_ORCHESTRATOR = "tests.sandboxes.fakes.FakeOrchestrator"
    FakeOrchestrator.reset()
    backend = get_orchestrator()
    assert isinstance(backend, FakeOrchestrator) and get_orchestrator() is backend
    info = backend.create(container_spec(sandbox))
    assert (info.status, sandbox_status_for(info.status), info.memory_limit) == ("creating", "stopped", 4 * GIB)
