"""The models.dev client: normalisation, the hour-long cache, the last good copy, the 503 without one."""

import time

import pytest
import requests
from django.core.cache import cache

from providers import catalogue, conf
from providers.catalogue import CatalogueFetchError, CatalogueModel, CatalogueProvider, parse_catalogue
from tests.providers.catalogue_data import MODELS_DEV
from tests.providers.conftest import MODELS_DEV_URL, calls_to

pytestmark = pytest.mark.django_db

UNAVAILABLE = {"error": "Provider catalogue unavailable"}


# -- normalisation -------------------------------------------------------------------------------------

def test_a_provider_and_its_models_are_normalised_as_the_old_server_did():
    providers = parse_catalogue({"acme": {
        "id": "acme", "name": "Acme AI", "env": ["ACME_KEY", "ACME_OTHER_KEY"], "npm": "@acme/sdk", "models": {
            "big": {"name": "Big", "limit": {"context": 200000.0, "output": 8192}, "cost": {"input": 2.5, "output": 10},
                    "modalities": {"input": ["text", "image", "video"]}, "tool_call": True},
            "bare": {},
            "attach": {"name": "Attach", "attachment": True, "modalities": {"input": ["text"]}},
            "odd": {"name": 7, "limit": {"context": "lots", "output": None}, "cost": {"input": True},
                    "modalities": "text", "tool_call": "yes"},
            "broken": "not an object",
        }}})
    assert providers == {"acme": CatalogueProvider(id="acme", name="Acme AI", api_key_env_var="ACME_KEY", models=(
        CatalogueModel(id="big", name="Big", context=200000, max_output=8192, input_price=2.5, output_price=10,
                       image=True, video=True, tools=True),
        CatalogueModel(id="bare", name="bare", context=0, max_output=0, input_price=0, output_price=0,
                       image=False, video=False, tools=False),
        CatalogueModel(id="attach", name="Attach", context=0, max_output=0, input_price=0, output_price=0,
                       image=True, video=False, tools=False),
        CatalogueModel(id="odd", name="odd", context=0, max_output=0, input_price=0, output_price=0,
                       image=False, video=False, tools=False),
    ))}
    assert isinstance(providers["acme"].models[0].context, int)  # 200000, not 200000.0
    assert providers["acme"].auth_type == "api_key"
    assert providers["acme"].logo_url == "https://models.dev/logos/acme.svg"


def test_providers_keep_models_dev_order_and_odd_entries_are_skipped():
    providers = parse_catalogue({"zeta": {"models": {}}, "broken": [1, 2], "alpha": {"name": "Alpha", "env": []},
                                 "github-copilot": {"name": "GitHub Copilot"}, "opencode": {"env": "NOT_A_LIST"}})
    assert list(providers) == ["zeta", "alpha", "github-copilot", "opencode"]
    assert (providers["zeta"].name, providers["zeta"].api_key_env_var, providers["zeta"].models) == ("zeta", None, ())
    assert providers["alpha"].api_key_env_var is None
    assert [p.auth_type for p in providers.values()] == ["api_key", "api_key", "device_flow", "oauth"]


@pytest.mark.parametrize("data", [[], "catalogue", None, {}, {"only": "strings"}])
def test_a_catalogue_that_is_not_an_object_of_providers_is_a_fetch_error(data):
    with pytest.raises(CatalogueFetchError):
        parse_catalogue(data)


# -- caching, over HTTP --------------------------------------------------------------------------------

def test_the_catalogue_is_fetched_once_and_cached(api, models_dev):
    assert api.get("/api/providers").status_code == 200
    assert api.get("/api/providers?popularOnly=false").status_code == 200
    assert api.get("/api/providers/anthropic").status_code == 200
    assert len(calls_to(models_dev, MODELS_DEV_URL)) == 1
    request = models_dev.calls[0].request
    assert request.headers["Accept"] == "application/json"


def test_the_cache_lasts_an_hour_unless_configured_otherwise(api, models_dev, settings):
    assert conf.DEFAULTS["MODELS_DEV_CACHE_SECONDS"] == 3600
    settings.MODELS_DEV_CACHE_SECONDS = 1
    api.get("/api/providers")
    api.get("/api/providers")
    assert len(calls_to(models_dev, MODELS_DEV_URL)) == 1
    time.sleep(1.1)
    api.get("/api/providers")
    assert len(calls_to(models_dev, MODELS_DEV_URL)) == 2


def test_after_the_hour_models_dev_is_asked_again(api, http):
    http.get(MODELS_DEV_URL, json=MODELS_DEV)
    api.get("/api/providers")
    cache.delete(catalogue.FRESH_KEY)  # the hour has passed
    http.replace("GET", MODELS_DEV_URL, json={"anthropic": {"name": "Anthropic (new)", "models": {}}})
    body = api.get("/api/providers").json()
    assert [(p["id"], p["name"]) for p in body["providers"]] == [("anthropic", "Anthropic (new)")]
    assert len(calls_to(http, MODELS_DEV_URL)) == 2


@pytest.mark.parametrize("failure", [
    {"status": 500, "body": "upstream exploded"},
    {"status": 200, "body": "<html>not json</html>"},
    {"status": 200, "json": ["not", "an", "object"]},
    {"body": requests.ConnectionError("unreachable")},
    {"body": requests.Timeout("too slow")},
])
def test_when_models_dev_fails_the_last_good_copy_is_served(api, http, failure):
    http.get(MODELS_DEV_URL, json=MODELS_DEV)
    first = api.get("/api/providers?popularOnly=false").json()
    cache.delete(catalogue.FRESH_KEY)  # the hour has passed
    http.replace("GET", MODELS_DEV_URL, **failure)
    response = api.get("/api/providers?popularOnly=false")
    assert response.status_code == 200
    assert response.json() == first
    assert len(calls_to(http, MODELS_DEV_URL)) == 2
    # While models.dev is down, the next requests do not wait for it again (retry marker).
    api.get("/api/providers")
    api.get("/api/providers/anthropic")
    assert len(calls_to(http, MODELS_DEV_URL)) == 2


@pytest.mark.parametrize("path", ["/api/providers", "/api/providers?popularOnly=false", "/api/providers/anthropic"])
def test_with_no_copy_at_all_the_catalogue_is_503(api, http, path):
    http.get(MODELS_DEV_URL, status=502)
    response = api.get(path)
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


def test_models_dev_is_retried_after_the_retry_period(api, http, settings):
    http.get(MODELS_DEV_URL, body=requests.ConnectionError("down"))
    assert api.get("/api/providers").status_code == 503
    assert api.get("/api/providers").status_code == 503
    assert len(calls_to(http, MODELS_DEV_URL)) == 1
    cache.delete(catalogue.RETRY_KEY)  # the retry period has passed
    http.replace("GET", MODELS_DEV_URL, json=MODELS_DEV)
    assert api.get("/api/providers").status_code == 200
    assert len(calls_to(http, MODELS_DEV_URL)) == 2


def test_the_models_dev_url_is_a_setting(api, http, settings):
    settings.MODELS_DEV_URL = "https://catalogue.internal.example/api.json"
    http.get(settings.MODELS_DEV_URL, json=MODELS_DEV)
    assert api.get("/api/providers").status_code == 200
    assert [call.request.url for call in http.calls] == [settings.MODELS_DEV_URL]


def test_a_failed_fetch_is_logged_without_the_response_body(api, http, caplog):
    http.get(MODELS_DEV_URL, status=500, body="internal detail sk-should-not-be-logged")
    api.get("/api/providers")
    assert "models.dev catalogue fetch failed: https://models.dev/api.json: HTTP 500" in caplog.text
    assert "sk-should-not-be-logged" not in caplog.text


# -- POST /api/providers/refresh-cache ------------------------------------------------------------------

def test_refresh_cache_fetches_now_even_within_the_hour(api, http):
    http.get(MODELS_DEV_URL, json=MODELS_DEV)
    api.get("/api/providers")
    http.replace("GET", MODELS_DEV_URL, json={**MODELS_DEV, "mistral": {"name": "Mistral", "models": {}}})
    response = api.post("/api/providers/refresh-cache")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Provider cache refreshed", "providerCount": 9}
    assert len(calls_to(http, MODELS_DEV_URL)) == 2
    assert "mistral" in [p["id"] for p in api.get("/api/providers").json()["providers"]]
    assert len(calls_to(http, MODELS_DEV_URL)) == 2


def test_refresh_cache_failing_is_503_and_keeps_the_cached_catalogue(api, http):
    http.get(MODELS_DEV_URL, json=MODELS_DEV)
    before = api.get("/api/providers").json()
    http.replace("GET", MODELS_DEV_URL, status=503)
    response = api.post("/api/providers/refresh-cache")
    assert response.status_code == 503
    assert response.json() == {**UNAVAILABLE, "details": "models.dev could not be reached; the cached catalogue is kept"}
    assert api.get("/api/providers").json() == before


def test_refresh_cache_with_models_dev_down_and_nothing_cached_is_503(api, http):
    http.get(MODELS_DEV_URL, body=requests.ConnectionError("down"))
    response = api.post("/api/providers/refresh-cache")
    assert response.status_code == 503
    assert response.json()["error"] == "Provider catalogue unavailable"


def test_get_on_refresh_cache_is_405(api, models_dev):
    response = api.get("/api/providers/refresh-cache")
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}
