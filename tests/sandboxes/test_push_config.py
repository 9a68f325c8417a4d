"""The config push writes a user's OpenCode config, files and credentials into their running sandboxes."""

from __future__ import annotations

import json

import pytest

from sandboxes.models import SandboxStatus
from sandboxes.services import sandboxes_push_config
from sandboxes.specs import container_ref, container_spec
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
    sandbox.container_id = backend.create(container_spec(sandbox)).id
    backend.start(container_ref(sandbox))
    sandbox.status = SandboxStatus.RUNNING
    sandbox.save()
    return sandbox


def cat(backend, sandbox, path) -> str:
    result = backend.exec(container_ref(sandbox), ["cat", path])
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

    assert sandboxes_push_config(user_id=user.pk) == 1

    config_dir = "/root/.config/opencode"
    assert json.loads(cat(backend, sandbox, f"{config_dir}/opencode.json")) == {
        "model": "openai/gpt-4o", "theme": "it's \"quoted\""}
    assert cat(backend, sandbox, f"{config_dir}/AGENTS.md") == (
        "# Rules\n\n$HOME stays literal; `no` $(substitution)\n")
    assert cat(backend, sandbox, f"{config_dir}/command/deploy.md") == "Deploy it.\n"
    auth_path = "/root/.local/share/opencode/auth.json"
    assert json.loads(cat(backend, sandbox, auth_path)) == {"openai": {"type": "api", "key": API_KEY}}
    assert backend.exec(container_ref(sandbox), ["stat", "-c", "%a", auth_path]).stdout.strip() == "600"
    # another user's sandbox got nothing
    assert backend.exec(container_ref(others), ["test", "-e", f"{config_dir}/opencode.json"]).exit_code == 1
    assert backend.exec(container_ref(recorded_stopped),
                        ["test", "-e", f"{config_dir}/opencode.json"]).exit_code == 1


def test_a_settings_change_reaches_the_running_sandbox_once_committed(engine, backend, user,
                                                                    django_capture_on_commit_callbacks):
    """Through the signal: settings_app announces the change on commit, sandboxes pushes it."""
    sandbox = running_sandbox(backend, user=user)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        opencode_settings_update(user=user, settings={"model": "anthropic/claude-sonnet-4-5"})
    # Not before the commit: a rolled-back change must never reach a sandbox.
    assert backend.exec(container_ref(sandbox), ["test", "-e", "/root/.config/opencode/opencode.json"]
                        ).exit_code == 1
    for callback in pending:
        callback()
    assert json.loads(cat(backend, sandbox, "/root/.config/opencode/opencode.json")) == {
        "model": "anthropic/claude-sonnet-4-5"}

    with django_capture_on_commit_callbacks(execute=True):
        opencode_settings_update(user=user, settings={"model": "openai/gpt-4o"})
    assert json.loads(cat(backend, sandbox, "/root/.config/opencode/opencode.json")) == {
        "model": "openai/gpt-4o"}


def test_a_push_to_a_sandbox_whose_container_vanished_is_skipped(engine, backend, user):
    UserOpencodeConfigFactory(user=user)
    gone = running_sandbox(backend, user=user)
    backend.remove(container_ref(gone))
    alive = running_sandbox(backend, user=user)
    assert sandboxes_push_config(user_id=user.pk) == 1
    assert cat(backend, alive, "/root/.config/opencode/opencode.json")


def test_removing_the_last_credential_removes_it_from_the_running_sandbox(engine, backend, user):
    credential = ProviderCredentialFactory(user=user, provider_id="openai", api_key=API_KEY)
    sandbox = running_sandbox(backend, user=user)
    auth_path = "/root/.local/share/opencode/auth.json"
    sandboxes_push_config(user_id=user.pk)
    assert API_KEY in cat(backend, sandbox, auth_path)
    credential.delete()
    sandboxes_push_config(user_id=user.pk)
    assert json.loads(cat(backend, sandbox, auth_path)) == {}
