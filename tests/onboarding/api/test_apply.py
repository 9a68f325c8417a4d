"""The whole onboarding flow through the API against a sandbox on the real engine
(tests/sandboxes/conftest.py): create the sandbox → its pending session → requirements → models →
complete → apply → the files are in the container → `config` reads them back; then failed applies (the
sandbox stopped, its container stopped behind the API's back, the engine gone)."""

import json

import pytest

from onboarding.models import OnboardingSession
from sandboxes.models import Sandbox
from sandboxes.specs import container_ref

pytestmark = pytest.mark.django_db

WORKSPACE = "/home/developer/workspace"
AGENTS_MD = "# Shop\n\nA shop. Money is in cents; $HOME and `backticks` stay literal.\n"
REVIEWER = '---\ndescription: "Reviews: the diff, \\"carefully\\""\nmode: "subagent"\n---\nReview the diff.\n'
TEST_COMMAND = '---\ndescription: "Run the tests"\n---\nRun `npm test` and report failures.\n'


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def workspace(settings):
    settings.SANDBOX_WORKSPACE_PATH = WORKSPACE
    return WORKSPACE


def cat(backend, sandbox_id, path):
    return backend.exec(container_ref(Sandbox.objects.get(pk=sandbox_id)), ["cat", path])


def test_onboarding_end_to_end(engine, backend, workspace, api, user):
    created = post(api, "/api/v2/sandboxes", {"name": "Shop", "autoStart": True})
    assert created.status_code == 201, created.content
    sandbox_id = created.json()["sandbox"]["id"]
    assert created.json()["sandbox"]["status"] == "running"

    found = api.get(f"/api/onboarding/sandbox/{sandbox_id}")
    assert found.status_code == 200
    session = found.json()["session"]
    assert (session["status"], session["userId"], session["sandboxId"]) == ("pending", user.id, sandbox_id)
    base = f"/api/onboarding/{session['id']}"

    assert post(api, f"{base}/start").json()["session"]["status"] == "started"
    assert (
        post(
            api,
            f"{base}/requirements",
            {"projectType": "web_app", "projectName": "Shop", "primaryLanguage": "typescript"},
        ).status_code
        == 200
    )
    assert (
        post(
            api,
            f"{base}/models",
            {"primaryModel": "anthropic/claude-sonnet-4-5", "smallModel": "anthropic/claude-haiku-4-5"},
        ).status_code
        == 200
    )
    config = {
        "settings": {"autoapprove": ["edit"], "autoupdate": False, "theme": "dark"},
        "agentsMd": AGENTS_MD,
        "agents": [
            {
                "name": "reviewer",
                "description": 'Reviews: the diff, "carefully"',
                "content": "Review the diff.",
            }
        ],
        "commands": [
            {"name": "test", "description": "Run the tests", "content": "Run `npm test` and report failures."}
        ],
    }
    assert post(api, f"{base}/complete", {"config": config}).json()["session"]["status"] == "completed"
    assert api.get(f"{base}/validate-sandbox").json() == {"valid": True, "errors": []}

    applied = post(api, f"{base}/apply")
    assert applied.status_code == 200, applied.content
    body = applied.json()
    files = [
        f"{WORKSPACE}/opencode.json",
        f"{WORKSPACE}/AGENTS.md",
        f"{WORKSPACE}/.opencode/agent/reviewer.md",
        f"{WORKSPACE}/.opencode/command/test.md",
    ]
    assert (body["success"], body["filesWritten"]) == (True, files)
    # The test image runs no OpenCode (and has no network): the reload is skipped, the apply succeeds.
    assert body["reloaded"] is False
    assert (body["session"]["status"], body["session"]["errorMessage"]) == ("completed", None)

    opencode_json = {
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "model": "anthropic/claude-sonnet-4-5",
        "small_model": "anthropic/claude-haiku-4-5",
        "permission": {"edit": "allow"},
        "mcp": {
            "agentpod_knowledge": {
                "type": "remote",
                "url": "{env:MANAGEMENT_API_URL}/api/mcp",
                "headers": {"Authorization": "Bearer {env:AGENTPOD_API_TOKEN}"},
            }
        },
    }
    written = cat(backend, sandbox_id, f"{WORKSPACE}/opencode.json")
    assert written.exit_code == 0 and json.loads(written.stdout) == opencode_json
    assert cat(backend, sandbox_id, f"{WORKSPACE}/AGENTS.md").stdout == AGENTS_MD
    assert cat(backend, sandbox_id, f"{WORKSPACE}/.opencode/agent/reviewer.md").stdout == REVIEWER
    assert cat(backend, sandbox_id, f"{WORKSPACE}/.opencode/command/test.md").stdout == TEST_COMMAND
    modes = backend.exec(
        container_ref(Sandbox.objects.get(pk=sandbox_id)), ["stat", "-c", "%a %u", f"{WORKSPACE}/AGENTS.md"]
    ).stdout.split()
    assert modes == ["644", "0"]  # the exec user's (root in the test image)

    read_back = api.get(f"{base}/config")
    assert read_back.status_code == 200
    assert read_back.json() == {
        "config": {
            "opencodeJson": opencode_json,
            "agentsMd": AGENTS_MD,
            "agents": {"reviewer.md": REVIEWER},
            "commands": {"test.md": TEST_COMMAND},
        },
        "session": body["session"] | {"updatedAt": read_back.json()["session"]["updatedAt"]},
    }

    # Applying again overwrites, without a reload when asked not to.
    again = post(api, f"{base}/apply?reload=false")
    assert (again.status_code, again.json()["filesWritten"], again.json()["reloaded"]) == (200, files, False)

    # The sandbox stops: apply fails with a 503, nothing is written, and the session says why.
    assert post(api, f"/api/v2/sandboxes/{sandbox_id}/stop?timeout=1").status_code == 200
    failed = post(api, f"{base}/apply")
    assert (failed.status_code, failed.json()) == (
        503,
        {"error": "Sandbox is not running", "filesWritten": []},
    )
    stored = OnboardingSession.objects.get(pk=session["id"])
    assert (stored.status, stored.error_message) == ("failed", "Sandbox is not running")
    assert api.get(f"{base}/validate-sandbox").json() == {
        "valid": False,
        "errors": ["Sandbox is not running"],
    }
    stopped = api.get(f"{base}/config")
    assert (stopped.status_code, stopped.json()) == (503, {"error": "Sandbox is not running"})


def test_a_container_stopped_behind_the_apis_back_fails_the_apply(engine, backend, workspace, api):
    created = post(api, "/api/v2/sandboxes", {"name": "Gone", "autoStart": True})
    sandbox = Sandbox.objects.get(pk=created.json()["sandbox"]["id"])
    session = OnboardingSession.objects.get(sandbox=sandbox)
    assert (
        post(api, f"/api/onboarding/{session.id}/complete", {"config": {"settings": {}}}).status_code == 200
    )
    backend.stop(container_ref(sandbox), timeout=1)  # the row still says running
    assert api.get(f"/api/onboarding/{session.id}/validate-sandbox").json() == {
        "valid": False,
        "errors": ["Sandbox is not running"],
    }
    failed = post(api, f"/api/onboarding/{session.id}/apply")
    assert (failed.status_code, failed.json()) == (
        503,
        {"error": "Sandbox is not running", "filesWritten": []},
    )
    session.refresh_from_db()
    assert (session.status, session.error_message) == ("failed", "Sandbox is not running")


def test_an_unreachable_engine_fails_the_apply_with_503(engine, workspace, api, settings):
    created = post(api, "/api/v2/sandboxes", {"name": "Away", "autoStart": True})
    session = OnboardingSession.objects.get(sandbox_id=created.json()["sandbox"]["id"])
    settings.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod-onboarding.sock"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.5
    failed = post(api, f"/api/onboarding/{session.id}/apply")
    assert (failed.status_code, failed.json()) == (
        503,
        {"error": "Container engine unavailable", "filesWritten": []},
    )
    session.refresh_from_db()
    assert (session.status, session.error_message) == ("failed", "Container engine unavailable")
