"""The OpenAPI schema (/api/schema) and Swagger UI (/api/docs): clean, complete, and usable offline."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS

OPENAPI_JSON = "application/vnd.oai.openapi+json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Plain Django redirect views of the browser's social sign-in flow: not API operations.
NOT_IN_SCHEMA = {"/api/auth/social/{provider}/start", "/api/auth/social/complete", "/api/schema", "/api/docs"}
SWAGGER_STATIC = "drf_spectacular_sidecar/swagger-ui-dist/"


def openapi_path(pattern: str) -> str:
    """A URL pattern (route or regex) as OpenAPI writes it: `{name}` parameters, `pk` named `id`."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    path = path.replace("^", "").replace("$", "").replace(r"\Z", "")
    return path.replace("{pk}", "{id}")


def view_methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF ViewSet routed with {method: action}
        return set(actions) & HTTP_METHODS
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return set()
    return {m for m in cls.http_method_names if m in HTTP_METHODS and hasattr(cls, m)}


def api_routes(patterns=None, prefix: str = "") -> dict[str, set[str]]:
    """Every route of the URL resolver under /api/ (and /health*), with the HTTP methods its view answers."""
    routes: dict[str, set[str]] = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + openapi_path(str(entry.pattern))
        if isinstance(entry, URLResolver):
            for sub_path, methods in api_routes(entry.url_patterns, path).items():
                routes.setdefault(sub_path, set()).update(methods)
        elif isinstance(entry, URLPattern):
            full = "/" + path
            if full.startswith(("/api/", "/health")):
                routes.setdefault(full, set()).update(view_methods(entry.callback))
    return {path: methods for path, methods in routes.items() if path not in NOT_IN_SCHEMA}


def test_the_schema_generates_with_no_warnings_or_errors(tmp_path):
    GENERATOR_STATS.reset()  # other tests may have generated the schema (and counted) already
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert not GENERATOR_STATS._warn_cache, dict(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._error_cache)
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


@pytest.fixture(scope="module")
def schema():
    from django.test import Client

    response = Client().get("/api/schema", HTTP_ACCEPT=OPENAPI_JSON)
    assert response.status_code == 200
    return response.json()


def test_the_schema_endpoint_answers_openapi_3_json_and_yaml(client, schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "AgentPod API"
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_every_api_route_and_method_is_in_the_schema(schema):
    routes = api_routes()
    assert len(routes) > 50 and "/api/v2/sandboxes/{id}/start" in routes  # the walk found the routers' routes
    documented = {path: {m for m in item if m in HTTP_METHODS} for path, item in schema["paths"].items()}
    assert {path: methods for path, methods in routes.items() if documented.get(path) != methods} == {}
    assert set(documented) == set(routes)


def test_every_operation_documents_its_success_and_error_responses(schema):
    operations = [(path, method, op) for path, item in schema["paths"].items()
                  for method, op in item.items() if method in HTTP_METHODS]
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    for path, method, op in operations:
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, (method, path)
        for code in success:
            assert "content" in op["responses"][code], (method, path, code)
        if op.get("security") and {} not in op["security"]:  # authentication required
            assert "401" in op["responses"], (method, path)
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                assert "content" in response, (method, path, code)


def test_api_errors_share_one_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert {"error", "details"} <= set(error["properties"])
    not_found = schema["paths"]["/api/v2/sandboxes/{id}"]["get"]["responses"]["404"]
    assert not_found["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_request_bodies_and_query_parameters_are_documented(schema):
    create = schema["paths"]["/api/v2/sandboxes"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SandboxCreateInputRequest"}
    assert "201" in create["responses"]
    listing = schema["paths"]["/api/users/me/activity"]["get"]
    assert {p["name"] for p in listing["parameters"] if p["in"] == "query"} == {"limit", "offset", "action"}
    sign_in = schema["paths"]["/api/auth/sign-in/email"]["post"]
    assert "requestBody" in sign_in and not sign_in.get("security")  # public


def test_the_bearer_token_is_a_documented_security_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerSession"] == {**schemes["bearerSession"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["serviceToken"]["scheme"] == "bearer"
    assert {"bearerSession": []} in schema["paths"]["/api/account"]["get"]["security"]


def test_swagger_ui_is_served_from_local_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"/static/{SWAGGER_STATIC}swagger-ui-bundle.js" in html
    assert f"/static/{SWAGGER_STATIC}swagger-ui.css" in html
    assert "/api/schema" in html
    assert not re.search(r"https?://(cdn\.jsdelivr\.net|unpkg\.com|cdnjs)", html)
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png"):
        assert finders.find(SWAGGER_STATIC + asset), asset
