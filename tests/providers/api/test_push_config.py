"""Every credential change reaches the caller's running sandboxes (api-contract 1.12, config-sync).

The container engine is the one thing replaced here: `RecordingOrchestrator` is the sandboxes app's
in-memory fake, also keeping what each file write would have written. The push itself
(`sandboxes.services.sandboxes_push_config`, inline under test settings, run when the request's
transaction commits: `committed()`) is the real code.
"""

import json

import pytest

from providers.conf import GITHUB_ACCESS_TOKEN_URL
from sandboxes.conf import sandbox_settings
from sandboxes.credentials import opencode_password
from sandboxes.opencode import OpenCodeClient
from sandboxes.specs import container_name
from tests.factories import OAuthStateFactory, ProviderCredentialFactory, SandboxFactory
from tests.sandboxes.fakes import FakeOrchestrator

pytestmark = pytest.mark.django_db


class RecordingOrchestrator(FakeOrchestrator):
    written: list[tuple[str, str, str]] = []  # (sandbox id, path, content)

    def exec(self, ref, command, *, working_dir=None, env=None, user=None):
        if "write-file" in command:
            self.written.append((ref.name, command[command.index("write-file") + 1], (env or {})["AGENTPOD_FILE"]))
        return super().exec(ref, command, working_dir=working_dir, env=env, user=user)


@pytest.fixture
def engine(settings):
    settings.SANDBOX_ORCHESTRATOR = f"{__name__}.RecordingOrchestrator"
    RecordingOrchestrator.reset()
    RecordingOrchestrator.written = []
    yield RecordingOrchestrator
    RecordingOrchestrator.reset()
    RecordingOrchestrator.written = []


def running_sandbox(engine, user):
    sandbox = SandboxFactory(user=user, status="running", container_id="container-of-test")
    engine.containers[container_name(sandbox)] = {"status": "running", "spec": None}
    return sandbox


def auth_json_pushed(engine, sandbox) -> list[dict]:
    path = sandbox_settings.SANDBOX_OPENCODE_AUTH_PATH
    return [json.loads(content) for sandbox_id, file_path, content in engine.written
            if sandbox_id == container_name(sandbox) and file_path == path]


def test_configure_pushes_the_new_key_to_the_callers_running_sandboxes_only(committed, api, user, other_user,
                                                                         engine, models_dev):
    mine, theirs = running_sandbox(engine, user), running_sandbox(engine, other_user)
    with committed():
        assert api.post("/api/providers/anthropic/configure", {"apiKey": "sk-pushed"},
                        content_type="application/json").status_code == 200
    assert auth_json_pushed(engine, mine) == [{"anthropic": {"type": "api", "key": "sk-pushed"}}]
    assert auth_json_pushed(engine, theirs) == []


def test_delete_pushes_the_remaining_credentials(committed, api, user, engine):
    ProviderCredentialFactory(user=user, provider_id="anthropic", api_key="sk-stays")
    ProviderCredentialFactory(user=user, provider_id="openai", api_key="sk-goes")
    sandbox = running_sandbox(engine, user)
    with committed():
        assert api.delete("/api/providers/openai").status_code == 200
    assert auth_json_pushed(engine, sandbox) == [{"anthropic": {"type": "api", "key": "sk-stays"}}]


def test_set_default_pushes_the_config(committed, api, user, engine):
    ProviderCredentialFactory(user=user, provider_id="anthropic", api_key="sk-default")
    sandbox = running_sandbox(engine, user)
    with committed():
        assert api.post("/api/providers/anthropic/set-default").status_code == 200
    assert auth_json_pushed(engine, sandbox) == [{"anthropic": {"type": "api", "key": "sk-default"}}]


def test_a_completed_device_flow_pushes_the_copilot_token(committed, api, user, engine, http):
    state = OAuthStateFactory(user=user)
    sandbox = running_sandbox(engine, user)
    http.post(GITHUB_ACCESS_TOKEN_URL, json={"error": "authorization_pending"})
    with committed():
        api.post("/api/providers/github-copilot/oauth/poll", {"stateId": state.pk}, content_type="application/json")
    assert auth_json_pushed(engine, sandbox) == []  # nothing changed yet
    http.replace("POST", GITHUB_ACCESS_TOKEN_URL, json={"access_token": "gho_pushed", "scope": "read:user"})
    with committed():
        api.post("/api/providers/github-copilot/oauth/poll", {"stateId": state.pk}, content_type="application/json")
    assert auth_json_pushed(engine, sandbox) == [
        {"github-copilot": {"type": "oauth", "refresh": "gho_pushed", "access": "gho_pushed", "expires": 0}}]


def test_failed_changes_push_nothing(committed, api, other_api, user, engine, models_dev):
    ProviderCredentialFactory(user=user, provider_id="anthropic")
    sandbox = running_sandbox(engine, user)
    with committed():
        api.post("/api/providers/github-copilot/configure", {"apiKey": "x"}, content_type="application/json")
    with committed():
        api.post("/api/providers/openai/set-default")
    with committed():
        api.delete("/api/providers/openai")
    with committed():
        other_api.delete("/api/providers/anthropic")
    assert auth_json_pushed(engine, sandbox) == []


def test_a_running_opencode_gets_the_new_credential_without_a_restart(committed, api, user, engine, models_dev,
                                                                      opencode_factory):
    """The push tells the sandbox's real OpenCode (auth API, then a reload); it stays up and knows the key."""
    sandbox = running_sandbox(engine, user)
    process = opencode_factory(password=opencode_password(sandbox.pk))
    sandbox.opencode_url = process.base_url
    sandbox.save()
    with OpenCodeClient(process.endpoint) as opencode:
        assert "anthropic" not in [p["id"] for p in opencode.config_providers()["providers"]]
        with committed():
            assert api.post("/api/providers/anthropic/configure", {"apiKey": "sk-ant-pushed-0123456789"},
                            content_type="application/json").status_code == 200
        assert "anthropic" in [p["id"] for p in opencode.config_providers()["providers"]]
        assert opencode.health()["healthy"] is True
