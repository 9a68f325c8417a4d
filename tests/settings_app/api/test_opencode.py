"""`/api/users/{userId}/opencode/*`: the caller's own config, read by containers with the service token."""

import pytest

from settings_app.models import UserOpencodeConfig, UserOpencodeFile
from tests.factories import UserOpencodeConfigFactory, UserOpencodeFileFactory

pytestmark = pytest.mark.django_db


def put(client, path, body):
    return client.put(path, body, content_type="application/json")


def test_config_of_a_user_without_one_is_empty(api):
    response = api.get("/api/users/me/opencode/config")
    assert response.status_code == 200
    assert response.json() == {"settings": {}, "agents_md": None, "files": []}


def test_config_returns_settings_agents_md_and_files_in_type_order(api, user):
    UserOpencodeConfigFactory(user=user, settings={"model": "anthropic/claude"}, agents_md="# Rules")
    for file_type, name in [("plugin", "a"), ("agent", "zeta"), ("tool", "t"), ("agent", "alpha"), ("command", "c")]:
        UserOpencodeFileFactory(user=user, type=file_type, name=name, extension="md", content=f"{name}!")
    body = api.get(f"/api/users/{user.id}/opencode/config").json()
    assert body["settings"] == {"model": "anthropic/claude"}
    assert body["agents_md"] == "# Rules"
    assert [(f["type"], f["name"]) for f in body["files"]] == [
        ("agent", "alpha"), ("agent", "zeta"), ("command", "c"), ("tool", "t"), ("plugin", "a")]
    assert body["files"][0] == {"type": "agent", "name": "alpha", "extension": "md", "content": "alpha!"}


def test_another_users_id_is_a_404_and_their_config_is_untouched(api, other_user):
    UserOpencodeConfigFactory(user=other_user, settings={"secret": "theirs"})
    for method, path, body in [("get", "config", None), ("get", "settings", None), ("put", "settings", {"settings": {}}),
                               ("get", "files", None), ("put", "agents-md", {"content": "x"}),
                               ("delete", "files/agent/x", None)]:
        url = f"/api/users/{other_user.id}/opencode/{path}"
        response = getattr(api, method)(url, body, content_type="application/json") if body else \
            getattr(api, method)(url)
        assert response.status_code == 404, url
        assert response.json() == {"error": "User not found"}
    assert UserOpencodeConfig.objects.get(user=other_user).settings == {"secret": "theirs"}


def test_put_settings_stores(api, user):
    response = put(api, "/api/users/me/opencode/settings", {"settings": {"theme": "dark"}})
    assert response.status_code == 200
    assert response.json() == {"success": True, "settings": {"theme": "dark"},
                               "message": "Settings updated and synced to running containers."}
    assert UserOpencodeConfig.objects.get(user=user).settings == {"theme": "dark"}
    assert api.get("/api/users/me/opencode/settings").json() == {"settings": {"theme": "dark"}}


@pytest.mark.parametrize("body", [{}, {"settings": "text"}, {"settings": [1, 2]}, {"settings": None}])
def test_put_settings_validation(api, body):
    response = put(api, "/api/users/me/opencode/settings", body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert response.json()["details"].startswith("settings:")


@pytest.mark.parametrize("raw", ['{"settings": {"\\ud800": 1}}', '{"settings": {"theme": "\\udfff"}}',
                                 '{"settings": {"a": [{"b": "x\\ud83d"}]}}'])
def test_a_lone_surrogate_in_a_key_or_value_is_a_400_and_nothing_is_stored(api, user, raw):
    response = api.put("/api/users/me/opencode/settings", raw, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {
        "error": "Invalid request",
        "details": "The JSON body holds a lone surrogate escape (\\ud800-\\udfff), "
                   "which is not Unicode text"})
    assert not UserOpencodeConfig.objects.filter(user=user).exists()


def test_a_surrogate_pair_is_one_character_and_is_stored(api, user):
    response = api.put("/api/users/me/opencode/settings", '{"settings": {"emoji": "\\ud83d\\ude00"}}',
                       content_type="application/json")
    assert response.status_code == 200
    assert UserOpencodeConfig.objects.get(user=user).settings == {"emoji": "\U0001f600"}


def test_malformed_json_is_a_400_in_the_one_shape(api):
    response = api.put("/api/users/me/opencode/settings", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request", "details": "Malformed JSON in request body"}


def test_agents_md_round_trip(api, user):
    assert api.get("/api/users/me/opencode/agents-md").json() == {"content": ""}
    response = put(api, "/api/users/me/opencode/agents-md", {"content": "# Be kind"})
    assert response.json() == {"success": True, "content": "# Be kind",
                               "message": "AGENTS.md updated and synced to running containers."}
    assert api.get("/api/users/me/opencode/agents-md").json() == {"content": "# Be kind"}
    assert put(api, "/api/users/me/opencode/agents-md", {"content": 5}).status_code == 200  # coerced, as zod would not
    assert put(api, "/api/users/me/opencode/agents-md", {}).status_code == 400


def test_files_put_get_list_delete(api, user):
    response = put(api, "/api/users/me/opencode/files/tool/lint", {"content": "export default {}"})
    assert response.status_code == 200
    assert response.json() == {"success": True, "type": "tool", "name": "lint", "extension": "ts",
                               "content": "export default {}", "message": "File updated and synced to running containers."}
    put(api, "/api/users/me/opencode/files/agent/review", {"content": "# Review", "extension": "exe"})
    assert UserOpencodeFile.objects.get(user=user, name="review").extension == "md"
    listing = api.get("/api/users/me/opencode/files").json()["files"]
    assert [(f["type"], f["name"]) for f in listing] == [("agent", "review"), ("tool", "lint")]
    assert set(listing[0]) == {"type", "name", "extension", "content", "createdAt", "updatedAt"}
    assert [f["name"] for f in api.get("/api/users/me/opencode/files?type=tool").json()["files"]] == ["lint"]
    one = api.get("/api/users/me/opencode/files/tool/lint").json()
    assert (one["name"], one["content"]) == ("lint", "export default {}")
    deleted = api.delete("/api/users/me/opencode/files/tool/lint")
    assert deleted.json() == {"success": True, "message": "File deleted and removed from running containers."}
    assert not UserOpencodeFile.objects.filter(user=user, name="lint").exists()


def test_file_errors(api):
    assert api.get("/api/users/me/opencode/files/script/x").json()["error"] == "Invalid file type"
    assert api.get("/api/users/me/opencode/files/script/x").status_code == 400
    missing = api.get("/api/users/me/opencode/files/agent/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "File not found"})
    assert api.delete("/api/users/me/opencode/files/agent/nope").status_code == 404
    assert api.get("/api/users/me/opencode/files?type=script").status_code == 400
    assert put(api, "/api/users/me/opencode/files/agent/x", {"extension": "md"}).status_code == 400


def test_init_is_idempotent(api, user):
    first = api.post("/api/users/me/opencode/init")
    assert first.json() == {"success": True, "settings": {"$schema": "https://opencode.ai/config.json"},
                            "message": "User config initialized"}
    put(api, "/api/users/me/opencode/settings", {"settings": {"kept": True}})
    assert api.post("/api/users/me/opencode/init").json()["settings"] == {"kept": True}


def test_the_service_token_reads_any_users_config_but_writes_nothing(service_api, user):
    UserOpencodeConfigFactory(user=user, settings={"model": "x"})
    assert service_api.get(f"/api/users/{user.id}/opencode/config").json()["settings"] == {"model": "x"}
    assert service_api.get("/api/users/unknown-user/opencode/config").json() == {
        "settings": {}, "agents_md": None, "files": []}
    response = put(service_api, f"/api/users/{user.id}/opencode/settings", {"settings": {}})
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})
    assert UserOpencodeConfig.objects.get(user=user).settings == {"model": "x"}


def test_anonymous_is_401(client):
    assert client.get("/api/users/me/opencode/config").status_code == 401


def test_files_list_runs_a_constant_number_of_queries(api, user, django_assert_num_queries):
    UserOpencodeFileFactory(user=user)
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(1):
        assert len(api.get("/api/users/me/opencode/files").json()["files"]) == 1
    UserOpencodeFileFactory.create_batch(49, user=user)
    with django_assert_num_queries(1):
        assert len(api.get("/api/users/me/opencode/files").json()["files"]) == 50
