"""`/api/providers`: the catalogue with the caller's flags, API keys, the per-user default (api-contract 2.7).

models.dev is faked at the HTTP layer (`models_dev`, the reference fixture's eight providers); the
database, tokens and encryption are real.
"""

import logging

import pytest
from django.db import connection
from django.test import Client

from activity.models import ActivityLog
from core.models import Setting
from providers.models import ProviderCredential
from tests.factories import ProviderCredentialFactory, SettingFactory
from tests.providers.catalogue_data import big_catalogue, expected_all, expected_anthropic, expected_popular
from tests.providers.conftest import MODELS_DEV_URL

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}


def configure(client, provider_id, body):
    return client.post(f"/api/providers/{provider_id}/configure", body, content_type="application/json")


def credential(user, provider_id, key="sk-test-key"):
    return ProviderCredentialFactory(user=user, provider_id=provider_id, api_key=key)


def default_of(user):
    return Setting.objects.filter(key=f"default_provider:{user.pk}").values_list("value", flat=True).first()


def raw_api_key_column(user, provider_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM provider_credentials WHERE user_id = %s AND provider_id = %s",
                       [user.pk, provider_id])
        return cursor.fetchone()[0]


# -- GET /api/providers ---------------------------------------------------------------------------------

def test_list_shows_the_popular_providers_as_recorded(api, models_dev):
    response = api.get("/api/providers")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"providers": expected_popular(), "totalCount": None, "popularCount": 10}


def test_list_all_shows_every_provider_with_its_count(api, models_dev):
    response = api.get("/api/providers?popularOnly=false")
    assert response.status_code == 200
    assert response.json() == {"providers": expected_all(), "totalCount": 8, "popularCount": 10}


@pytest.mark.parametrize("value, popular", [("true", True), ("1", True), ("false", False), ("0", False),
                                            ("False", False)])
def test_popular_only_means_what_it_says(api, models_dev, value, popular):
    body = api.get(f"/api/providers?popularOnly={value}").json()
    assert len(body["providers"]) == (6 if popular else 8)


def test_popular_only_that_is_not_a_boolean_is_400(api, models_dev):
    response = api.get("/api/providers?popularOnly=sometimes")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request", "details": "popularOnly: Must be a valid boolean.",
                               "fields": {"popularOnly": ["Must be a valid boolean."]}}


def test_list_flags_the_callers_configured_and_default_provider_only(api, user, other_user, models_dev):
    credential(user, "anthropic")
    credential(user, "groq")
    SettingFactory(key=f"default_provider:{user.pk}", value="anthropic")
    credential(other_user, "openai")
    SettingFactory(key=f"default_provider:{other_user.pk}", value="openai")
    SettingFactory(key="default_provider", value="openai")  # the old global row means nothing now
    body = api.get("/api/providers").json()
    assert body["providers"] == expected_popular(anthropic={"configured": True, "default": True},
                                                 groq={"configured": True})


def test_list_runs_a_constant_number_of_queries(api, user, http, django_assert_num_queries):
    http.get(MODELS_DEV_URL, json=big_catalogue(60))
    credential(user, "anthropic")
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(2):  # configured ids, default
        assert len(api.get("/api/providers?popularOnly=false").json()["providers"]) == 68
    for n in range(49):
        credential(user, f"extra-{n:03d}")
    with django_assert_num_queries(2):
        body = api.get("/api/providers?popularOnly=false").json()
    assert sum(p["isConfigured"] for p in body["providers"]) == 50


# -- GET /api/providers/configured ----------------------------------------------------------------------

def test_configured_is_empty_without_credentials_and_needs_no_catalogue(api, http):
    response = api.get("/api/providers/configured")
    assert response.status_code == 200
    assert response.json() == {"providers": []}
    assert len(http.calls) == 0


def test_configured_lists_only_the_callers_credentials_in_catalogue_order(api, user, other_user, models_dev):
    credential(user, "groq")
    credential(user, "anthropic")
    credential(user, "deepseek")  # not popular, still listed
    credential(user, "retired-provider")  # no longer on models.dev: left out
    credential(other_user, "openai")
    SettingFactory(key=f"default_provider:{user.pk}", value="groq")
    body = api.get("/api/providers/configured").json()
    everything = {p["id"]: p for p in expected_all(anthropic={"configured": True},
                                                    groq={"configured": True, "default": True},
                                                    deepseek={"configured": True})}
    assert body == {"providers": [everything["anthropic"], everything["groq"], everything["deepseek"]]}


def test_configured_for_another_user_is_empty(other_api, user, models_dev):
    credential(user, "anthropic")
    assert other_api.get("/api/providers/configured").json() == {"providers": []}


def test_configured_runs_a_constant_number_of_queries(api, user, http, django_assert_num_queries):
    http.get(MODELS_DEV_URL, json=big_catalogue(60))
    credential(user, "anthropic")
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(2):  # configured ids, default
        assert len(api.get("/api/providers/configured").json()["providers"]) == 1
    for n in range(49):
        credential(user, f"extra-{n:03d}")
    with django_assert_num_queries(2):
        assert len(api.get("/api/providers/configured").json()["providers"]) == 50


# -- GET /api/providers/default -------------------------------------------------------------------------

def test_default_when_none_is_set(api, models_dev):
    response = api.get("/api/providers/default")
    assert response.status_code == 200
    assert response.json() == {"provider": None, "message": "No default provider set"}


def test_default_that_is_no_longer_configured(api, user, models_dev):
    SettingFactory(key=f"default_provider:{user.pk}", value="anthropic")
    assert api.get("/api/providers/default").json() == {"provider": None,
                                                       "message": "Default provider is not configured"}


def test_default_that_models_dev_no_longer_lists(api, user, models_dev):
    credential(user, "retired-provider")
    SettingFactory(key=f"default_provider:{user.pk}", value="retired-provider")
    assert api.get("/api/providers/default").json() == {"provider": None, "message": "Default provider not found"}


def test_default_provider_as_recorded(api, user, models_dev):
    credential(user, "anthropic")
    SettingFactory(key=f"default_provider:{user.pk}", value="anthropic")
    assert api.get("/api/providers/default").json() == {"provider": {
        "id": "anthropic", "name": "Anthropic", "authType": "api_key", "isConfigured": True, "isDefault": True,
        "logoUrl": "https://models.dev/logos/anthropic.svg"}, "message": None}


def test_another_users_default_is_not_mine(other_api, user, other_user, models_dev):
    credential(user, "anthropic")
    credential(other_user, "anthropic")
    SettingFactory(key=f"default_provider:{user.pk}", value="anthropic")
    SettingFactory(key="default_provider", value="anthropic")
    assert other_api.get("/api/providers/default").json() == {"provider": None, "message": "No default provider set"}


# -- GET /api/providers/{id} ----------------------------------------------------------------------------

def test_get_one_provider_as_recorded(api, models_dev):
    response = api.get("/api/providers/anthropic")
    assert response.status_code == 200
    assert response.json() == {"provider": expected_anthropic()}


def test_get_a_provider_with_a_dashed_id_and_the_callers_flags(api, user, other_user, models_dev):
    credential(other_user, "github-copilot")
    body = api.get("/api/providers/github-copilot").json()
    assert body["provider"]["id"] == "github-copilot"
    assert (body["provider"]["authType"], body["provider"]["isConfigured"]) == ("device_flow", False)
    credential(user, "anthropic")
    SettingFactory(key=f"default_provider:{user.pk}", value="anthropic")
    assert api.get("/api/providers/anthropic").json() == {"provider": expected_anthropic(configured=True,
                                                                                         default=True)}


def test_get_an_unknown_provider_is_404(api, models_dev):
    response = api.get("/api/providers/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "Provider not found: nope"}


def test_a_trailing_slash_is_404_not_a_redirect(api, models_dev):
    response = api.get("/api/providers/")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


# -- POST /api/providers/{id}/configure ----------------------------------------------------------------

def test_configure_stores_the_key_encrypted_as_recorded(api, user, models_dev):
    response = configure(api, "anthropic", {"apiKey": "sk-ant-test-123"})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Provider configured successfully",
                               "provider": {"id": "anthropic", "name": "Anthropic", "isConfigured": True}}
    row = ProviderCredential.objects.get(user=user, provider_id="anthropic")
    assert (row.auth_type, row.api_key, row.access_token) == ("api_key", "sk-ant-test-123", None)
    stored = raw_api_key_column(user, "anthropic")
    assert stored and "sk-ant-test-123" not in stored
    entry = ActivityLog.objects.get(action="provider.configure")
    assert (entry.user_id, entry.entity_type, entry.entity_id, entry.metadata) == (
        user.pk, "provider", "anthropic", {"params": {"id": "anthropic"}})


def test_configuring_again_replaces_the_key(api, user, models_dev):
    assert configure(api, "anthropic", {"apiKey": "first-key"}).status_code == 200
    assert configure(api, "anthropic", {"apiKey": "second-key"}).status_code == 200
    assert [row.api_key for row in ProviderCredential.objects.filter(provider_id="anthropic")] == ["second-key"]
    assert ActivityLog.objects.filter(action="provider.configure", user=user).count() == 2


def test_configure_changes_only_the_callers_credential(api, other_api, user, other_user, models_dev):
    credential(other_user, "anthropic", key="other-users-key")
    assert configure(api, "anthropic", {"apiKey": "my-key"}).status_code == 200
    assert ProviderCredential.objects.get(user=other_user).api_key == "other-users-key"
    assert ProviderCredential.objects.get(user=user).api_key == "my-key"
    assert [p["id"] for p in other_api.get("/api/providers/configured").json()["providers"]] == ["anthropic"]


@pytest.mark.parametrize("body, details", [
    ({}, "apiKey: API key is required"),
    ({"apiKey": ""}, "apiKey: API key is required"),
    ({"apiKey": "   "}, "apiKey: API key is required"),
    ({"apiKey": None}, "apiKey: API key is required"),
    ({"apiKey": 12345}, "apiKey: Must be a string."),
    ({"apiKey": ["sk"]}, "apiKey: Must be a string."),
    ({"apiKey": "k" * 4097}, "apiKey: Ensure this field has no more than 4096 characters."),
    (["apiKey"], "Invalid data. Expected a dictionary, but got list."),
])
def test_configure_with_a_bad_body_is_400_before_the_provider_is_looked_up(api, user, http, body, details):
    for provider_id in ("anthropic", "nope"):
        response = configure(api, provider_id, body)
        assert response.status_code == 400
        assert response.json()["error"] == "Invalid request"
        assert response.json()["details"] == details
    assert len(http.calls) == 0
    assert not ProviderCredential.objects.exists()
    assert not ActivityLog.objects.exists()


def test_configure_with_malformed_json_is_400(api, models_dev):
    response = api.post("/api/providers/anthropic/configure", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request", "details": "Malformed JSON in request body"}


def test_configure_an_unknown_provider_is_404(api, models_dev):
    response = configure(api, "non-existent", {"apiKey": "test-key"})
    assert response.status_code == 404
    assert response.json() == {"error": "Provider not found: non-existent"}
    assert not ProviderCredential.objects.exists()


@pytest.mark.parametrize("provider_id, auth_type", [("github-copilot", "device_flow"), ("opencode", "oauth")])
def test_configure_a_provider_that_takes_no_api_key_is_400(api, models_dev, provider_id, auth_type):
    response = configure(api, provider_id, {"apiKey": "x"})
    assert response.status_code == 400
    assert response.json() == {"error": f"Provider {provider_id} uses {auth_type} authentication, not API key"}
    assert not ProviderCredential.objects.exists()


def test_configure_with_models_dev_down_and_nothing_cached_is_503(api, http):
    http.get(MODELS_DEV_URL, status=500)
    response = configure(api, "anthropic", {"apiKey": "sk-ant-down"})
    assert response.status_code == 503
    assert response.json() == {"error": "Provider catalogue unavailable"}
    assert not ProviderCredential.objects.exists()


# -- POST /api/providers/{id}/set-default ---------------------------------------------------------------

def test_set_default_as_recorded_stores_a_per_user_setting(api, user, models_dev):
    credential(user, "anthropic")
    response = api.post("/api/providers/anthropic/set-default")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "anthropic is now the default provider"}
    assert default_of(user) == "anthropic"
    assert not Setting.objects.filter(key="default_provider").exists()
    assert api.get("/api/providers/default").json()["provider"]["id"] == "anthropic"


def test_set_default_switches(api, user):
    credential(user, "anthropic")
    credential(user, "openai")
    api.post("/api/providers/anthropic/set-default")
    assert api.post("/api/providers/openai/set-default").status_code == 200
    assert default_of(user) == "openai"
    assert Setting.objects.filter(key__startswith="default_provider").count() == 1


def test_set_default_of_an_unconfigured_provider_is_400(api, user, other_user):
    credential(other_user, "anthropic")  # someone else's credential does not count
    response = api.post("/api/providers/anthropic/set-default")
    assert response.status_code == 400
    assert response.json() == {"error": "Provider must be configured before setting as default"}
    assert default_of(user) is None


def test_users_have_their_own_defaults(api, other_api, user, other_user, models_dev):
    for owner in (user, other_user):
        credential(owner, "anthropic")
        credential(owner, "openai")
    api.post("/api/providers/anthropic/set-default")
    other_api.post("/api/providers/openai/set-default")
    assert (default_of(user), default_of(other_user)) == ("anthropic", "openai")
    assert api.get("/api/providers/default").json()["provider"]["id"] == "anthropic"
    assert other_api.get("/api/providers/default").json()["provider"]["id"] == "openai"


# -- DELETE /api/providers/{id} -------------------------------------------------------------------------

def test_delete_removes_the_credential_as_recorded(api, user, http):
    credential(user, "anthropic")
    response = api.delete("/api/providers/anthropic")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Provider credentials removed"}
    assert not ProviderCredential.objects.filter(user=user).exists()
    assert len(http.calls) == 0  # no catalogue needed


def test_delete_of_the_default_provider_clears_the_default(api, user, models_dev):
    credential(user, "anthropic")
    api.post("/api/providers/anthropic/set-default")
    api.delete("/api/providers/anthropic")
    assert default_of(user) is None
    assert api.get("/api/providers/default").json() == {"provider": None, "message": "No default provider set"}


def test_delete_of_another_provider_keeps_the_default(api, user):
    credential(user, "anthropic")
    credential(user, "openai")
    api.post("/api/providers/anthropic/set-default")
    api.delete("/api/providers/openai")
    assert default_of(user) == "anthropic"


def test_delete_an_unconfigured_provider_is_404(api):
    response = api.delete("/api/providers/anthropic")
    assert response.status_code == 404
    assert response.json() == {"error": "Provider not configured"}


def test_another_user_cannot_delete_my_credential_or_clear_my_default(api, other_api, user, other_user):
    credential(user, "anthropic")
    api.post("/api/providers/anthropic/set-default")
    response = other_api.delete("/api/providers/anthropic")
    assert response.status_code == 404
    assert response.json() == {"error": "Provider not configured"}
    assert ProviderCredential.objects.filter(user=user, provider_id="anthropic").exists()
    assert default_of(user) == "anthropic"


def test_deleting_my_credential_leaves_another_users_alone(api, user, other_user):
    credential(user, "anthropic")
    credential(other_user, "anthropic")
    SettingFactory(key=f"default_provider:{other_user.pk}", value="anthropic")
    api.delete("/api/providers/anthropic")
    assert ProviderCredential.objects.filter(user=other_user, provider_id="anthropic").exists()
    assert default_of(other_user) == "anthropic"


# -- secrets --------------------------------------------------------------------------------------------

def test_the_api_key_appears_in_no_response_and_no_log(api, user, models_dev, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "sk-ant-api03-very-secret-value-7f3a9"
    responses = [configure(api, "anthropic", {"apiKey": secret}),
                 configure(api, "github-copilot", {"apiKey": secret}),
                 configure(api, "nope", {"apiKey": secret}),
                 configure(api, "anthropic", {"apiKey": secret, "extra": secret}),
                 configure(api, "anthropic", {"apiKey": secret * 200}),
                 api.post("/api/providers/anthropic/set-default"),
                 api.get("/api/providers"), api.get("/api/providers?popularOnly=false"),
                 api.get("/api/providers/configured"), api.get("/api/providers/default"),
                 api.get("/api/providers/anthropic")]
    for response in responses:
        assert secret not in response.content.decode()
    assert secret not in caplog.text
    assert all(secret not in str(entry.metadata) for entry in ActivityLog.objects.all())
    assert ProviderCredential.objects.get(user=user).api_key == secret


# -- who may call ---------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/providers"), ("get", "/api/providers/configured"), ("get", "/api/providers/default"),
    ("post", "/api/providers/refresh-cache"), ("get", "/api/providers/anthropic"),
    ("delete", "/api/providers/anthropic"), ("post", "/api/providers/anthropic/configure"),
    ("post", "/api/providers/anthropic/set-default"), ("post", "/api/providers/github-copilot/oauth/init"),
    ("post", "/api/providers/github-copilot/oauth/poll"),
    ("get", "/api/providers/github-copilot/oauth/status/some-state"),
    ("delete", "/api/providers/github-copilot/oauth/some-state"),
]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-session-token", "Basic dXNlcjpwYXNz"])
@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_anonymous_callers_get_401(db, http, method, path, authorization):
    client = Client(**({"HTTP_AUTHORIZATION": authorization} if authorization else {}))
    response = getattr(client, method)(path, {"apiKey": "k", "stateId": "s"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert len(http.calls) == 0


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_the_service_token_gets_403(service_api, user, http, method, path):
    credential(user, "anthropic")
    response = getattr(service_api, method)(path, {"apiKey": "k", "stateId": "s"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden"}
    assert len(http.calls) == 0
    assert ProviderCredential.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("method, path", [("put", "/api/providers/anthropic"), ("get", "/api/providers/x/configure"),
                                          ("patch", "/api/providers")])
def test_a_wrong_method_is_405(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}


# -- OpenAPI ----------------------------------------------------------------------------------------------

def test_the_openapi_schema_describes_every_provider_endpoint(client):
    response = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() if path.startswith("/api/providers")
                  for method in item if method in {"get", "post", "delete", "put", "patch"}}
    assert operations == {
        ("GET", "/api/providers"), ("GET", "/api/providers/configured"), ("GET", "/api/providers/default"),
        ("POST", "/api/providers/refresh-cache"), ("GET", "/api/providers/{provider_id}"),
        ("DELETE", "/api/providers/{provider_id}"), ("POST", "/api/providers/{provider_id}/configure"),
        ("POST", "/api/providers/{provider_id}/set-default"), ("POST", "/api/providers/{provider_id}/oauth/init"),
        ("POST", "/api/providers/{provider_id}/oauth/poll"),
        ("GET", "/api/providers/{provider_id}/oauth/status/{state_id}"),
        ("DELETE", "/api/providers/{provider_id}/oauth/{state_id}"),
    }
    components = schema["components"]["schemas"]
    list_schema = schema["paths"]["/api/providers"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert list_schema == {"$ref": "#/components/schemas/ProviderListResponse"}
    assert set(components["Provider"]["properties"]) == {"id", "name", "authType", "apiKeyEnvVar", "isConfigured",
                                                         "isDefault", "logoUrl", "models"}
    configure_body = schema["paths"]["/api/providers/{provider_id}/configure"]["post"]["requestBody"]
    assert configure_body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ConfigureInputRequest"}
    assert components["ConfigureInputRequest"]["required"] == ["apiKey"]


@pytest.mark.parametrize("method, path", [
    ("get", "/api/providers/a%00b"), ("delete", "/api/providers/a%00b"), ("post", "/api/providers/a%00b/set-default"),
    ("get", "/api/providers/github-copilot/oauth/status/a%00b"), ("delete", "/api/providers/github-copilot/oauth/a%00b"),
])
def test_a_nul_character_in_the_path_is_404_not_a_crash(api, models_dev, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_a_nul_character_in_the_body_is_400_not_a_crash(api, models_dev):
    response = configure(api, "anthropic", {"apiKey": "sk-\x00-key"})
    assert response.status_code == 400
    assert response.json()["details"] == "apiKey: Null characters are not allowed."
    response = api.post("/api/providers/github-copilot/oauth/poll", {"stateId": "a\x00b"},
                        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["details"] == "stateId: Null characters are not allowed."


# -- rate limits on what calls out ------------------------------------------------------------------------

@pytest.mark.parametrize("path, setting_name", [
    ("/api/providers/refresh-cache", "PROVIDERS_REFRESH_CACHE_RATE"),
    ("/api/providers/github-copilot/oauth/init", "PROVIDERS_OAUTH_INIT_RATE"),
    ("/api/providers/github-copilot/oauth/poll", "PROVIDERS_OAUTH_POLL_RATE"),
])
def test_endpoints_that_call_out_are_rate_limited_per_user(api, other_api, http, settings, path, setting_name):
    setattr(settings, setting_name, "2/min")
    http.get(MODELS_DEV_URL, json=big_catalogue(0))
    http.post("https://github.com/login/device/code", json={"error": "unauthorized_client"})
    body = {"stateId": "unknown"}
    for _ in range(2):
        assert api.post(path, body, content_type="application/json").status_code != 429
    response = api.post(path, body, content_type="application/json")
    assert response.status_code == 429
    assert response.json() == {"error": "Too many requests. Please try again later."}
    assert int(response["Retry-After"]) > 0
    assert other_api.post(path, body, content_type="application/json").status_code != 429


# -- a credential whose secret no longer decrypts (e.g. after a key change) ---------------------------

def test_a_credential_that_no_longer_decrypts_can_be_listed_replaced_and_deleted(api, user, models_dev):
    credential(user, "anthropic")
    credential(user, "openai")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE provider_credentials SET api_key_encrypted = %s WHERE user_id = %s",
                       ["bm90LWEtdmFsaWQtdG9rZW4=", user.pk])
    assert api.get("/api/providers/configured").status_code == 200
    assert api.get("/api/providers/anthropic").json()["provider"]["isConfigured"] is True
    assert api.post("/api/providers/anthropic/set-default").status_code == 200
    assert configure(api, "anthropic", {"apiKey": "sk-new-key"}).status_code == 200
    assert ProviderCredential.objects.get(user=user, provider_id="anthropic").api_key == "sk-new-key"
    assert api.delete("/api/providers/openai").status_code == 200
    assert list(ProviderCredential.objects.filter(user=user).values_list("provider_id", flat=True)) == ["anthropic"]


def test_configure_refreshes_updated_at_and_keeps_created_at(api, user, models_dev):
    old = credential(user, "anthropic")
    assert configure(api, "anthropic", {"apiKey": "sk-rotated"}).status_code == 200
    row = ProviderCredential.objects.get(pk=old.pk)
    assert row.created_at == old.created_at
    assert row.updated_at > old.updated_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, so threads race
def test_concurrent_configures_leave_one_row_per_provider(api, user, models_dev):
    """providers-50, harder: several requests for the same provider at once still make one row."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    api.get("/api/providers")  # the catalogue is cached before the race starts

    def send(n):
        try:
            return configure(api, "anthropic" if n % 2 else "openai", {"apiKey": f"key-{n}"}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(16)))
    assert statuses == [200] * 16
    rows = ProviderCredential.objects.filter(user=user)
    assert sorted(rows.values_list("provider_id", flat=True)) == ["anthropic", "openai"]
    assert {row.provider_id: row.api_key in {f"key-{n}" for n in range(16)} for row in rows} == {
        "anthropic": True, "openai": True}
    assert [p["id"] for p in api.get("/api/providers/configured").json()["providers"]] == ["anthropic", "openai"]
