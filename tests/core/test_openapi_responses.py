"""Real responses of every operation in /api/schema validate against the schema, so a client generated from
it works (issue 10, item 14).

Each documented operation is called once, through the whole stack, on a small world of the caller's data
(a sandbox, a chat session, a provider credential, OpenCode config, preferences, activity). The engine is
offline (lifecycle calls answer their documented 503) and models.dev and GitHub are faked at the HTTP layer.
The status must be one the operation documents, and the body must validate against that response's schema,
where an object documenting its properties may hold no other key.
"""

from __future__ import annotations

import copy
import json

import pytest
import responses
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

from providers.conf import GITHUB_DEVICE_CODE_URL
from tests.factories import (
    DEFAULT_PASSWORD,
    ActivityLogFactory,
    ChatMessageFactory,
    ChatSessionFactory,
    OAuthStateFactory,
    OnboardingSessionFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    SessionFactory,
    UserFactory,
    UserOpencodeConfigFactory,
    UserOpencodeFileFactory,
    UserPreferencesFactory,
)
from tests.providers.catalogue_data import MODELS_DEV

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = sorted((method, path) for path, item in SCHEMA["paths"].items()
                    for method in item if method in METHODS)

# A request body for each operation that takes one: valid, so the success response is the one checked.
BODIES = {
    ("post", "/api/addons/validate"): {"flavorId": "js", "addonIds": ["code-server"]},
    ("post", "/api/auth/sign-in/email"): {"email": "{email}", "password": DEFAULT_PASSWORD},
    ("post", "/api/auth/sign-in/social"): {"provider": "github", "callbackURL": "/"},
    ("post", "/api/auth/sign-up/email"): {"email": "new-user@example.com", "password": "a-long-password",
                                          "name": "New User"},
    ("delete", "/api/account"): {"confirmPhrase": "DELETE MY ACCOUNT"},
    ("post", "/api/providers/{provider_id}/configure"): {"apiKey": "sk-ant-test-0123456789abcdef"},
    ("post", "/api/providers/{provider_id}/oauth/poll"): {"stateId": "{state_id}"},
    ("put", "/api/users/{user_id}/opencode/agents-md"): {"content": "# Rules"},
    ("put", "/api/users/{user_id}/opencode/files/{file_type}/{name}"): {"content": "Be brief.",
                                                                         "extension": "md"},
    ("put", "/api/users/{user_id}/opencode/settings"): {"settings": {"theme": "dark"}},
    ("put", "/api/users/me/preferences"): {"themeMode": "dark"},
    ("patch", "/api/users/me/preferences"): {"autoRefreshInterval": 60},
    ("post", "/api/v2/sandboxes"): {"name": "Schema check", "flavor": "js"},
    ("post", "/api/v2/sandboxes/{id}/exec"): {"command": ["echo", "hi"]},
    ("post", "/api/onboarding/{onboarding_id}/requirements"): {
        "projectType": "web_app", "projectName": "Shop", "frameworks": ["django"]},
    ("post", "/api/onboarding/{onboarding_id}/models"): {"primaryModel": "anthropic/claude-sonnet-4-5"},
    ("post", "/api/onboarding/{onboarding_id}/complete"): {"config": {
        "settings": {"model": "anthropic/claude-sonnet-4-5", "theme": "dark"}, "agentsMd": "# Shop",
        "agents": [{"name": "reviewer", "description": "Reviews", "content": "Review."}],
        "mcpServers": [{"name": "files", "command": "mcp-files", "args": ["."]}]}},
    ("post", "/api/onboarding/{onboarding_id}/link"): {"sandboxId": "{sandbox_id}"},
    ("post", "/api/onboarding/{onboarding_id}/reset"): {"preserveModels": True},
}
QUERIES = {
    ("get", "/api/users/me/preferences/sync"): "?localVersion=0",
}


@pytest.fixture
def world(settings):
    settings.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod-schema-test.sock"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.2
    user = UserFactory()
    session = SessionFactory(user=user)
    sandbox = SandboxFactory(user=user, status="stopped", flavor_id="js", addon_ids=["code-server"])
    chat = ChatSessionFactory(sandbox=sandbox, message_count=1)
    ChatMessageFactory(session=chat, content={"parts": [{"type": "text", "text": "hi"}]})
    ProviderCredentialFactory(user=user, provider_id="anthropic", api_key="sk-ant-test-0123456789abcdef")
    state = OAuthStateFactory(user=user, provider_id="github-copilot")
    UserOpencodeConfigFactory(user=user, settings={"model": "anthropic/claude"}, agents_md="# Rules")
    UserOpencodeFileFactory(user=user, type="agent", name="reviewer", extension="md")
    UserPreferencesFactory(user=user)
    ActivityLogFactory(user=user, action="sandbox.create", entity_type="sandbox", entity_id=sandbox.pk)
    # Completed, on the stopped sandbox: apply answers its documented 503, config and validate theirs.
    onboarding = OnboardingSessionFactory(user=user, sandbox=sandbox, status="completed",
                                          generated_config={"settings": {}})
    values = {"id": sandbox.pk, "sandbox_id": sandbox.pk, "session_id": chat.pk, "user_id": "me",
              "provider_id": "anthropic", "state_id": state.pk, "file_type": "agent", "name": "reviewer",
              "entity_type": "sandbox", "entity_id": sandbox.pk, "category": "interface",
              "language": "javascript", "email": user.email, "branch": "main", "document_id": "no-such-document",
              "sha": "0" * 40, "message_id": "msg_1", "permission_id": "per_1",
              "onboarding_id": onboarding.pk}
    return Client(HTTP_AUTHORIZATION=f"Bearer {session.token}"), values


def concrete(path: str, values: dict) -> str:
    """The path with its parameters filled; reference-data ids where the path is about reference data."""
    if path.startswith(("/api/addons/{id}", "/api/flavors/{id}", "/api/resource-tiers/{id}")):
        values = {**values, "id": {"addons": "code-server", "flavors": "js", "resource-tiers": "starter"}[
            path.split("/")[2]]}
    if "/oauth/" in path:
        values = {**values, "provider_id": "github-copilot"}
    return path.format(**values)


def strict(schema):
    """Every object schema that lists its properties admits no other key (OpenAPI's default admits any).

    A nullable nested object is written `{"allOf": [{"$ref": ...}], "nullable": true}` (drf-spectacular's
    OpenAPI 3.0 idiom, which client generators read as "the object or null"); the validator ignores
    `nullable` without `type`, so it is spelled out here as exactly that."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        if schema.get("nullable") and "allOf" in schema and "type" not in schema:
            schema = {"oneOf": [{"allOf": schema.pop("allOf")}, {"enum": [None]}], **schema}
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


COMPONENTS = strict(copy.deepcopy(SCHEMA["components"]))


def test_the_walk_covers_every_operation():
    assert len(OPERATIONS) > 70
    assert {key for key in BODIES if key not in OPERATIONS} == set()


@pytest.mark.parametrize("method, path", sorted(BODIES), ids=[f"{m.upper()} {p}" for m, p in sorted(BODIES)])
def test_every_body_an_operation_takes_is_documented(method, path):
    """The bodies this walk sends are the ones the operations take: each must validate against its schema."""
    operation = SCHEMA["paths"][path][method]
    assert "requestBody" in operation, "the request body is not documented"
    schema = {**strict(copy.deepcopy(operation["requestBody"]["content"]["application/json"]["schema"])),
              "components": COMPONENTS}
    assert [error.message for error in OAS30Validator(schema).iter_errors(BODIES[(method, path)])] == []


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in OPERATIONS])
def test_the_real_response_is_documented_and_matches_its_schema(world, method, path):
    client, values = world
    url = concrete(path, values) + QUERIES.get((method, path), "")
    body = json.loads(json.dumps(BODIES.get((method, path), {})).replace("{email}", values["email"])
                      .replace("{state_id}", values["state_id"])
                      .replace("{sandbox_id}", values["sandbox_id"]))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as outside:
        outside.get("https://models.dev/api.json", json=MODELS_DEV)
        outside.post(GITHUB_DEVICE_CODE_URL, json={
            "device_code": "device-code-0001", "user_code": "WDJB-MJHT", "expires_in": 899, "interval": 5,
            "verification_uri": "https://github.com/login/device"})
        response = getattr(client, method)(url, body, content_type="application/json") if method != "get" \
            else client.get(url)
    documented = SCHEMA["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in documented, (status, response.content[:500])
    content = documented[status].get("content", {})
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, (media_type, list(content))
    if media_type != "application/json":
        return
    schema = {**strict(copy.deepcopy(content[media_type]["schema"])), "components": COMPONENTS}
    errors = sorted(OAS30Validator(schema).iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == [], status
