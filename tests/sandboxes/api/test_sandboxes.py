"""`/api/v2/sandboxes` over HTTP, on the real engine `make test` starts (tests/sandboxes/conftest.py)."""

import pytest
from django.test import Client

from activity.models import ActivityLog
from containers.models import ResourceTier
from onboarding.models import OnboardingSession
from sandboxes.models import Sandbox
from tests.factories import SandboxFactory, UserFactory

pytestmark = pytest.mark.django_db

GIB = 1024 ** 3
UNAVAILABLE = {"error": "Container engine unavailable"}


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def offline(settings):
    """The engine is gone: a socket nobody listens on."""
    settings.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod-test.sock"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.5
    return settings


# -- without an engine --------------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
    ({"name": "ok", "description": "d" * 501}, "description"), ({"name": "ok", "githubUrl": "not a url"}, "githubUrl"),
    ({"name": "ok", "addons": "gui"}, "addons"),
])
def test_create_validation(api, body, field):
    response = post(api, "/api/v2/sandboxes", body)
    assert response.status_code == 400
    assert response.json()["details"].startswith(f"{field}:")
    assert not Sandbox.objects.exists()


@pytest.mark.parametrize("body, details", [
    ({"flavor": "go"}, "Flavor 'go' is disabled"),
    ({"flavor": "cobol"}, "Flavor 'cobol' not found"),
    ({"resourceTier": "huge"}, "Resource tier 'huge' not found"),
    ({"addons": ["code-server", "nope"]}, "Addon 'nope' not found"),
])
def test_create_refuses_disabled_flavors_and_unknown_references(api, body, details):
    response = post(api, "/api/v2/sandboxes", {"name": "Demo", **body})
    assert (response.status_code, response.json()) == (400, {"error": "Invalid sandbox configuration",
                                                             "details": details})
    assert not Sandbox.objects.exists()


def test_create_for_another_user_is_forbidden(api, other_user):
    response = post(api, "/api/v2/sandboxes", {"name": "Demo", "userId": other_user.id})
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})


def test_an_unreachable_engine_is_a_503_and_the_sandbox_is_left_in_error(api, user, offline):
    response = post(api, "/api/v2/sandboxes", {"name": "My App!"})
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    sandbox = Sandbox.objects.get()
    assert (sandbox.slug, sandbox.status, sandbox.error_message) == ("my-app", "error", "Container engine unavailable")
    assert OnboardingSession.objects.filter(sandbox=sandbox, status="pending").exists()
    assert ActivityLog.objects.get(action="sandbox.create").entity_id == sandbox.id


def test_list_is_the_callers_with_a_status_filter(api, user, other_user):
    mine = SandboxFactory(user=user, status="running")
    SandboxFactory(user=user, status="stopped")
    SandboxFactory(user=other_user, status="running")
    body = api.get("/api/v2/sandboxes").json()
    assert body["count"] == 2 and {s["userId"] for s in body["sandboxes"]} == {user.id}
    running = api.get("/api/v2/sandboxes?status=running,error").json()
    assert [s["id"] for s in running["sandboxes"]] == [mine.id]
    assert api.get("/api/v2/sandboxes?status=sleeping").status_code == 400


def test_the_sandbox_object_has_every_key(api, user):
    sandbox = SandboxFactory(user=user, code_server_url="http://cs.local")
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}").json()
    assert body["repository"] is None and body["config"] is None
    assert set(body["sandbox"]) == {
        "id", "userId", "name", "slug", "description", "repoName", "githubUrl", "resourceTierId", "flavorId",
        "addonIds", "containerId", "containerName", "status", "errorMessage", "opencodeUrl", "acpGatewayUrl",
        "vncUrl", "codeServerUrl", "urls", "createdAt", "updatedAt", "lastAccessedAt"}
    assert body["sandbox"]["urls"] == {"codeServer": "http://cs.local"}


@pytest.mark.parametrize("method, suffix", [
    ("get", ""), ("delete", ""), ("post", "/start"), ("post", "/stop"), ("post", "/restart"), ("post", "/pause"),
    ("post", "/unpause"), ("get", "/status"), ("get", "/logs"), ("get", "/stats"), ("post", "/exec"),
])
def test_unknown_and_other_users_sandboxes_are_404(api, other_user, method, suffix):
    theirs = SandboxFactory(user=other_user, status="running", container_id="abc")
    for sandbox_id in ["does-not-exist", theirs.id]:
        response = getattr(api, method)(f"/api/v2/sandboxes/{sandbox_id}{suffix}")
        assert (response.status_code, response.json()) == (404, {"error": "Sandbox not found"}), sandbox_id
    theirs.refresh_from_db()
    assert theirs.status == "running"


@pytest.mark.parametrize("query, field", [("since=253402300800000", "since"), ("since=-1", "since"),
                                          ("since=1e400", "since"), ("tail=0", "tail")])
def test_logs_query_out_of_range_is_400_before_the_engine_is_asked(api, user, offline, query, field):
    sandbox = SandboxFactory(user=user, status="running", container_id="0123456789ab")
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/logs?{query}")
    assert response.status_code == 400
    assert response.json()["details"].startswith(f"{field}:")


def test_lifecycle_calls_answer_503_when_the_engine_is_gone(api, user, offline):
    sandbox = SandboxFactory(user=user, status="stopped", container_id="0123456789ab", flavor_id="js",
                             addon_ids=[])
    response = post(api, f"/api/v2/sandboxes/{sandbox.id}/start")
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    sandbox.refresh_from_db()
    assert (sandbox.status, sandbox.error_message) == ("error", "Container engine unavailable")
    assert api.get(f"/api/v2/sandboxes/{sandbox.id}/logs").json() == UNAVAILABLE
    assert api.get(f"/api/v2/sandboxes/{sandbox.id}/status").json() == {"status": "unknown"}
    assert api.get(f"/api/v2/sandboxes/{sandbox.id}").status_code == 200  # reads degrade, never fail
    health = api.get("/api/v2/health/docker")
    assert (health.status_code, health.json()) == (503, {"status": "unhealthy",
                                                         "message": "Docker daemon not accessible"})


def test_a_pause_from_a_stopped_sandbox_is_a_conflict(api, user):
    sandbox = SandboxFactory(user=user, status="stopped")
    response = post(api, f"/api/v2/sandboxes/{sandbox.id}/pause")
    assert response.status_code == 409
    assert response.json()["error"] == "Invalid sandbox state"


def test_the_list_runs_a_constant_number_of_queries(api, user, django_assert_num_queries):
    SandboxFactory(user=user)
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(1):
        api.get("/api/v2/sandboxes")
    SandboxFactory.create_batch(49, user=user)
    with django_assert_num_queries(1):
        assert api.get("/api/v2/sandboxes").json()["count"] == 50


def test_service_token_and_anonymous_are_refused(service_api, client):
    assert service_api.get("/api/v2/sandboxes").status_code == 403
    assert client.get("/api/v2/sandboxes").status_code == 401


# -- on the real engine ------------------------------------------------------------------------------

def test_end_to_end_from_sign_up_to_delete(engine, settings):
    sign_up = post(Client(), "/api/auth/sign-up/email", {"email": "e2e@example.com", "password": "e2e-password-1",
                                                        "name": "E2E"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {sign_up.json()['token']}")

    def container():
        [found] = engine.containers(**{"agentpod.sandbox.id": sandbox_id})
        return engine.client.inspect_container(found["Id"])

    def api_status():
        return client.get(f"/api/v2/sandboxes/{sandbox_id}").json()["sandbox"]["status"]

    created = post(client, "/api/v2/sandboxes", {"name": "E2E Sandbox"})
    assert created.status_code == 201, created.content
    body = created.json()["sandbox"]
    sandbox_id = body["id"]
    assert (body["flavorId"], body["resourceTierId"], body["addonIds"], body["status"]) == (
        "fullstack", "starter", ["code-server"], "stopped")
    inspected = container()
    assert inspected["State"]["Status"] == "created"
    assert inspected["HostConfig"]["Memory"] == 2 * GIB  # the starter tier's memory_gb
    assert inspected["HostConfig"]["NetworkMode"] == "none"
    labels = inspected["Config"]["Labels"]
    assert (labels["agentpod.sandbox.id"], labels["agentpod.sandbox.slug"], labels["agentpod.sandbox.user"]) == (
        sandbox_id, "e2e-sandbox", body["userId"])
    assert body["containerId"] == inspected["Id"]

    started = post(client, f"/api/v2/sandboxes/{sandbox_id}/start")
    assert started.json()["message"] == "Sandbox started"
    assert container()["State"]["Running"] is True and api_status() == "running"

    run = post(client, f"/api/v2/sandboxes/{sandbox_id}/exec", {"command": ["echo", "hello from the sandbox"]})
    assert run.json() == {"exitCode": 0, "stdout": "hello from the sandbox\n", "stderr": ""}
    logs = client.get(f"/api/v2/sandboxes/{sandbox_id}/logs?tail=10").json()
    assert logs["tail"] == 10 and isinstance(logs["logs"], str)
    stats = client.get(f"/api/v2/sandboxes/{sandbox_id}/stats").json()["stats"]
    assert stats["memoryLimit"] == 2 * GIB and stats["memoryUsage"] > 0
    assert client.get(f"/api/v2/sandboxes/{sandbox_id}/status").json() == {"status": "running"}

    assert post(client, f"/api/v2/sandboxes/{sandbox_id}/stop?timeout=1").json()["message"] == "Sandbox stopped"
    assert container()["State"]["Running"] is False and api_status() == "stopped"

    assert post(client, f"/api/v2/sandboxes/{sandbox_id}/restart?timeout=1").json()["message"] == "Sandbox restarted"
    assert container()["State"]["Running"] is True and api_status() == "running"

    assert post(client, f"/api/v2/sandboxes/{sandbox_id}/pause").status_code == 200
    assert container()["State"]["Paused"] is True
    assert post(client, f"/api/v2/sandboxes/{sandbox_id}/unpause").status_code == 200
    assert container()["State"]["Paused"] is False

    assert client.get("/api/v2/health/docker").json()["status"] == "healthy"

    # The engine goes away mid-test: 503s, quickly, never a 500 or a hang; then it comes back.
    real_host, settings.SANDBOX_DOCKER_HOST = settings.SANDBOX_DOCKER_HOST, "unix:///nonexistent/gone.sock"
    gone = post(client, f"/api/v2/sandboxes/{sandbox_id}/stop")
    assert (gone.status_code, gone.json()) == (503, UNAVAILABLE)
    assert api_status() == "error"
    assert client.get("/api/v2/health/docker").status_code == 503
    settings.SANDBOX_DOCKER_HOST = real_host
    assert post(client, f"/api/v2/sandboxes/{sandbox_id}/start").status_code == 200
    assert api_status() == "running"

    deleted = client.delete(f"/api/v2/sandboxes/{sandbox_id}")
    assert deleted.json() == {"success": True, "message": "Sandbox deleted"}
    assert engine.containers(**{"agentpod.sandbox.id": sandbox_id}) == []
    # A soft delete: gone for its owner, the row kept (with its chat history), stopped, its container forgotten.
    assert client.get(f"/api/v2/sandboxes/{sandbox_id}").json() == {"error": "Sandbox not found"}
    row = Sandbox.all_objects.get(pk=sandbox_id)
    assert (row.deleted_at is not None, row.status, row.container_id, row.opencode_url) == (True, "stopped", None, None)
    assert set(ActivityLog.objects.filter(entity_id=sandbox_id).values_list("action", flat=True)) == {
        "sandbox.create", "sandbox.start", "sandbox.stop", "sandbox.delete"}


def test_an_admin_edit_of_a_tier_changes_the_next_containers_memory(engine, api):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    tier = ResourceTier.objects.get(id="builder")
    response = staff.post("/admin/containers/resourcetier/builder/change/", {
        "id": "builder", "name": tier.name, "description": tier.description, "cpu_cores": 1, "memory_gb": 3, "storage_gb": 30,
        "price_monthly": 10, "sort_order": 2, "created_at_0": "2025-01-01", "created_at_1": "00:00:00"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = post(api, "/api/v2/sandboxes", {"name": "After edit", "resourceTier": "builder", "addons": []})
    [found] = engine.containers(**{"agentpod.sandbox.id": created.json()["sandbox"]["id"]})
    assert engine.client.inspect_container(found["Id"])["HostConfig"]["Memory"] == 3 * GIB


def test_deleting_an_account_removes_its_containers(engine, api, user):
    created = post(api, "/api/v2/sandboxes", {"name": "Doomed", "autoStart": True})
    sandbox_id = created.json()["sandbox"]["id"]
    assert created.json()["sandbox"]["status"] == "running"
    response = api.delete("/api/account", '{"confirmPhrase": "DELETE MY ACCOUNT"}', content_type="application/json")
    assert response.json()["results"]["sandboxesDeleted"] == 1
    assert engine.containers(**{"agentpod.sandbox.id": sandbox_id}) == []
