"""The config push writes a user's OpenCode config, files and credentials into their running sandboxes."""

from __future__ import annotations

import json

import pytest

from sandboxes.models import SandboxStatus
from sandboxes.services import sandboxes_push_config
from settings_app.services import opencode_settings_update
from tests.factories import (
    ProviderCredentialFactory,
    SandboxFactory,
    UserOpencodeConfigFactory,
    UserOpencodeFileFactory,
)

pytestmark = pytest.mark.django_db

API_KEY = "sk-openai-test-00112233445566"


def running_sandbox(backend, **fields):
    sandbox = SandboxFactory(flavor_id="js", resource_tier_id="starter", addon_ids=[], **fields)
    sandbox.container_id = backend.create(sandbox).id
    backend.start(sandbox)
    sandbox.status = SandboxStatus.RUNNING
    sandbox.save()
    return sandbox


def cat(backend, sandbox, path) -> str:
    result = backend.exec(sandbox, ["cat", path])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_push_writes_config_files_and_credentials_into_running_sandboxes(engine, backend, user, other_user):
    UserOpencodeConfigFactory(user=user, settings={"model": "openai/gpt-4o", "theme": "it's \"quoted\""},
                              agents_md="# Rules\n\n$HOME stays literal; `no` $(substitution)\n")
    UserOpencodeFileFactory(user=user, type="command", name="deploy", extension="md", content="Deploy it.\n")
    ProviderCredentialFactory(user=user, provider_id="openai", api_key=API_KEY)
    sandbox = running_sandbox(backend, user=user)
    # The push goes by the sandbox's recorded status: one recorded as stopped is left alone even if
    # its container happens to run.
    recorded_stopped = running_sandbox(backend, user=user)
    recorded_stopped.status = SandboxStatus.STOPPED
    recorded_stopped.save()
    others = running_sandbox(backend, user=other_user)

    assert backend.push_config(user_id=user.pk) == 1

    config_dir = "/root/.config/opencode"
    assert json.loads(cat(backend, sandbox, f"{config_dir}/opencode.json")) == {
        "model": "openai/gpt-4o", "theme": "it's \"quoted\""}
    assert cat(backend, sandbox, f"{config_dir}/AGENTS.md") == (
        "# Rules\n\n$HOME stays literal; `no` $(substitution)\n")
    assert cat(backend, sandbox, f"{config_dir}/command/deploy.md") == "Deploy it.\n"
    auth_path = "/root/.local/share/opencode/auth.json"
    assert json.loads(cat(backend, sandbox, auth_path)) == {"openai": {"type": "api", "key": API_KEY}}
    assert backend.exec(sandbox, ["stat", "-c", "%a", auth_path]).stdout.strip() == "600"
    # another user's sandbox got nothing
    assert backend.exec(others, ["test", "-e", f"{config_dir}/opencode.json"]).exit_code == 1
    assert backend.exec(recorded_stopped, ["test", "-e", f"{config_dir}/opencode.json"]).exit_code == 1


def test_a_settings_change_reaches_the_running_sandbox(engine, backend, user):
    """Through the services other apps call: settings_app → sandboxes_push_config → the backend."""
    sandbox = running_sandbox(backend, user=user)
    opencode_settings_update(user=user, settings={"model": "anthropic/claude-sonnet-4-5"})
    assert json.loads(cat(backend, sandbox, "/root/.config/opencode/opencode.json")) == {
        "model": "anthropic/claude-sonnet-4-5"}

    opencode_settings_update(user=user, settings={"model": "openai/gpt-4o"})
    sandboxes_push_config(user=user)
    assert json.loads(cat(backend, sandbox, "/root/.config/opencode/opencode.json")) == {
        "model": "openai/gpt-4o"}


def test_a_push_to_a_sandbox_whose_container_vanished_is_skipped(engine, backend, user):
    UserOpencodeConfigFactory(user=user)
    gone = running_sandbox(backend, user=user)
    backend.remove(gone)
    alive = running_sandbox(backend, user=user)
    assert backend.push_config(user=user) == 1
    assert cat(backend, alive, "/root/.config/opencode/opencode.json")


def test_removing_the_last_credential_removes_it_from_the_running_sandbox(engine, backend, user):
    credential = ProviderCredentialFactory(user=user, provider_id="openai", api_key=API_KEY)
    sandbox = running_sandbox(backend, user=user)
    auth_path = "/root/.local/share/opencode/auth.json"
    backend.push_config(user_id=user.pk)
    assert API_KEY in cat(backend, sandbox, auth_path)
    credential.delete()
    backend.push_config(user_id=user.pk)
    assert json.loads(cat(backend, sandbox, auth_path)) == {}
