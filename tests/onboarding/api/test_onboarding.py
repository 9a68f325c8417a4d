"""`/api/onboarding/*` over HTTP without an engine: every endpoint as its owner, as another user and
anonymously, with whole bodies (the engine-backed apply, config and validate are in test_apply.py)."""

import pytest
import responses
from django.test import Client

from onboarding.models import OnboardingSession
from tests.factories import (
    OnboardingSessionFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    SettingFactory,
)
from tests.providers.catalogue_data import MODELS_DEV

pytestmark = pytest.mark.django_db

ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


def post(client, path, body=None):
    return client.post(path, body if body is not None else {}, content_type="application/json")


def session_body(session: OnboardingSession) -> dict:
    """What the API must answer for `session`, re-read from the database."""
    session.refresh_from_db()

    def iso(value):
        return None if value is None else value.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    return {
        "id": session.id,
        "userId": session.user_id,
        "sandboxId": session.sandbox_id,
        "status": session.status,
        "projectType": session.project_type,
        "projectName": session.project_name,
        "projectDescription": session.project_description,
        "gatheredRequirements": session.gathered_requirements,
        "generatedConfig": session.generated_config,
        "selectedModel": session.selected_model,
        "selectedSmallModel": session.selected_small_model,
        "errorMessage": session.error_message,
        "createdAt": iso(session.created_at),
        "updatedAt": iso(session.updated_at),
        "completedAt": iso(session.completed_at),
    }


@pytest.fixture
def mine(user):
    return OnboardingSessionFactory(user=user)


@pytest.fixture
def theirs(other_user):
    return OnboardingSessionFactory(user=other_user)


@pytest.fixture
def models_dev():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("https://models.dev/api.json", json=MODELS_DEV)
        yield mock


# -- lists, stats, lookups -----------------------------------------------------------------------------------


def test_list_is_the_callers_newest_first_with_a_status_filter(api, user, other_user):
    older = OnboardingSessionFactory(user=user, sandbox=None)
    newer = OnboardingSessionFactory(user=user, status="completed")
    OnboardingSessionFactory(user=other_user)
    response = api.get("/api/onboarding")
    assert response.status_code == 200
    assert response.json() == {"sessions": [session_body(newer), session_body(older)]}
    assert api.get("/api/onboarding?status=completed").json() == {"sessions": [session_body(newer)]}
    assert api.get("/api/onboarding?status=sleeping").json() == {"sessions": []}


def test_the_whole_session_object_with_explicit_nulls(api, mine):
    body = api.get(f"/api/onboarding/{mine.id}").json()["session"]
    assert body == {
        **session_body(mine),
        "status": "pending",
        "projectType": None,
        "projectName": None,
        "projectDescription": None,
        "gatheredRequirements": None,
        "generatedConfig": None,
        "selectedModel": None,
        "selectedSmallModel": None,
        "errorMessage": None,
        "completedAt": None,
        "sandboxId": mine.sandbox_id,
        "userId": mine.user_id,
    }


def test_stats_count_only_the_callers(api, user, other_user):
    for status in ("pending", "started", "completed", "skipped", "failed", "applying"):
        OnboardingSessionFactory(user=user, status=status)
    OnboardingSessionFactory(user=other_user, status="completed")
    response = api.get("/api/onboarding/stats")
    assert (response.status_code, response.json()) == (
        200,
        {"stats": {"total": 6, "completed": 1, "skipped": 1, "failed": 1, "inProgress": 3}},
    )


def test_by_sandbox_is_the_callers_only(api, other_api, mine):
    response = api.get(f"/api/onboarding/sandbox/{mine.sandbox_id}")
    assert (response.status_code, response.json()) == (200, {"session": session_body(mine)})
    not_found = (404, {"error": "Onboarding session not found for this sandbox"})
    other = other_api.get(f"/api/onboarding/sandbox/{mine.sandbox_id}")
    assert (other.status_code, other.json()) == not_found
    bare = SandboxFactory(user=mine.user)
    missing = api.get(f"/api/onboarding/sandbox/{bare.id}")
    assert (missing.status_code, missing.json()) == not_found


@pytest.mark.parametrize(
    "method, suffix, body",
    [
        ("get", "", None),
        ("delete", "", None),
        ("post", "/start", {}),
        ("post", "/skip", {}),
        ("post", "/reset", {}),
        ("post", "/requirements", {"projectType": "web_app", "projectName": "X"}),
        ("post", "/models", {"primaryModel": "openai/gpt-5"}),
        ("post", "/complete", {"config": {"settings": {}}}),
        ("post", "/apply", {}),
        ("post", "/link", {"sandboxId": "whatever"}),
        ("get", "/config", None),
        ("get", "/validate-sandbox", None),
    ],
)
def test_another_users_session_is_not_found_everywhere(api, theirs, method, suffix, body):
    before = session_body(theirs)
    for session_id in (theirs.id, "no-such-session"):
        path = f"/api/onboarding/{session_id}{suffix}"
        response = post(api, path, body) if method == "post" else getattr(api, method)(path)
        assert (response.status_code, response.json()) == (
            404,
            {"error": f"Onboarding session not found: {session_id}"},
        )
    assert session_body(theirs) == before


# -- create --------------------------------------------------------------------------------------------------


def test_create_without_a_sandbox(api, user):
    response = post(api, "/api/onboarding", {})
    assert response.status_code == 201
    session = OnboardingSession.objects.get(user=user)
    assert response.json() == {"session": session_body(session)}
    assert (session.status, session.sandbox_id) == ("pending", None)


def test_create_for_a_sandbox_is_idempotent(api, user):
    sandbox = SandboxFactory(user=user)
    first = post(api, "/api/onboarding", {"sandboxId": sandbox.id})
    assert first.status_code == 201 and first.json()["session"]["sandboxId"] == sandbox.id
    again = post(api, "/api/onboarding", {"sandboxId": sandbox.id})
    assert (again.status_code, again.json()) == (200, first.json())
    assert OnboardingSession.objects.filter(sandbox=sandbox).count() == 1


def test_create_for_someone_elses_or_an_unknown_sandbox_is_404(api, other_user, theirs):
    bare = SandboxFactory(user=other_user)
    for sandbox_id in (theirs.sandbox_id, bare.id, "no-such-sandbox"):
        response = post(api, "/api/onboarding", {"sandboxId": sandbox_id})
        assert (response.status_code, response.json()) == (404, {"error": f"Sandbox not found: {sandbox_id}"})
    assert OnboardingSession.objects.filter(sandbox=bare).count() == 0


def test_create_refuses_malformed_json_and_a_non_string_sandbox(api):
    response = api.post("/api/onboarding", "{ invalid json }", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "Invalid request"
    response = post(api, "/api/onboarding", {"sandboxId": 42})
    assert response.status_code == 400
    assert not OnboardingSession.objects.exists()


# -- the steps -----------------------------------------------------------------------------------------------

REQUIREMENTS = {
    "projectType": "web_app",
    "projectName": "My Web App",
    "projectDescription": "A cool web application",
    "primaryLanguage": "typescript",
    "frameworks": ["react", "nextjs"],
    "testingFramework": "vitest",
}
CONFIG = {
    "settings": {"provider": "anthropic", "model": "claude-sonnet-4-5", "theme": "dark"},
    "agentsMd": "# My Project\n\nGenerated AGENTS.md",
    "agents": [{"name": "reviewer", "description": "Reviews: carefully", "content": "Review the diff."}],
    "commands": [{"name": "test", "description": "Run tests", "content": "Run `npm test`."}],
    "mcpServers": [{"name": "files", "command": "mcp-files", "args": ["--root", "."]}],
}


def test_the_steps_in_order(api, mine):
    base = f"/api/onboarding/{mine.id}"
    started = post(api, f"{base}/start")
    assert (started.status_code, started.json()) == (200, {"session": session_body(mine)})
    assert mine.status == "started"

    saved = post(api, f"{base}/requirements", {**REQUIREMENTS, "unknown": "dropped"})
    assert (saved.status_code, saved.json()) == (200, {"session": session_body(mine)})
    assert (
        mine.gathered_requirements,
        mine.project_type,
        mine.project_name,
        mine.project_description,
        mine.status,
    ) == (REQUIREMENTS, "web_app", "My Web App", "A cool web application", "started")

    both = post(
        api,
        f"{base}/models",
        {"primaryModel": "anthropic/claude-sonnet-4-5", "smallModel": "anthropic/claude-haiku-4-5"},
    )
    assert both.json() == {"session": session_body(mine)}
    primary_only = post(api, f"{base}/models", {"primaryModel": "openai/gpt-5"})
    assert primary_only.json() == {"session": session_body(mine)}
    assert (mine.selected_model, mine.selected_small_model) == ("openai/gpt-5", "anthropic/claude-haiku-4-5")

    completed = post(api, f"{base}/complete", {"config": {**CONFIG, "ignored": True}})
    assert (completed.status_code, completed.json()) == (200, {"session": session_body(mine)})
    assert (mine.status, mine.generated_config) == ("completed", CONFIG)
    assert mine.completed_at is not None

    reset = post(api, f"{base}/reset", {"preserveModels": True})
    assert reset.json() == {"session": session_body(mine)}
    assert (
        mine.status,
        mine.project_name,
        mine.gathered_requirements,
        mine.generated_config,
        mine.selected_model,
    ) == ("pending", None, None, None, "openai/gpt-5")
    assert mine.completed_at is not None  # kept, as the old server kept it

    skipped = post(api, f"{base}/skip")
    assert skipped.json() == {"session": session_body(mine)} and mine.status == "skipped"


def test_reset_clears_the_models_and_ignores_a_malformed_body(api, mine):
    mine.selected_model, mine.selected_small_model, mine.error_message = "a/b", "a/c", "boom"
    mine.save()
    response = api.post(f"/api/onboarding/{mine.id}/reset", "{ nope", content_type="application/json")
    assert (response.status_code, response.json()) == (200, {"session": session_body(mine)})
    assert (mine.selected_model, mine.selected_small_model, mine.error_message) == (None, None, None)


@pytest.mark.parametrize(
    "suffix, body, field",
    [
        ("requirements", {}, "projectType"),
        ("requirements", {"projectType": "x"}, "projectName"),
        ("requirements", {"projectType": "x", "projectName": "y", "frameworks": "react"}, "frameworks"),
        ("models", {}, "primaryModel"),
        ("models", {"primaryModel": 3}, "primaryModel"),
        ("complete", {}, "config"),
        ("complete", {"config": {}}, "config.settings"),
        (
            "complete",
            {"config": {"settings": {}, "agents": [{"name": "../x", "description": "", "content": ""}]}},
            "config.agents.0.name",
        ),
        (
            "complete",
            {"config": {"settings": {}, "commands": [{"name": "ok"}]}},
            "config.commands.0.description",
        ),
        ("link", {}, "sandboxId"),
    ],
)
def test_invalid_bodies_are_400_and_change_nothing(api, mine, suffix, body, field):
    before = session_body(mine)
    response = post(api, f"/api/onboarding/{mine.id}/{suffix}", body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "Invalid request"
    assert field in response.json()["fields"], response.json()
    assert session_body(mine) == before


def test_delete(api, mine):
    response = api.delete(f"/api/onboarding/{mine.id}")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert not OnboardingSession.objects.filter(pk=mine.pk).exists()
    assert api.get(f"/api/onboarding/{mine.id}").status_code == 404


# -- link ----------------------------------------------------------------------------------------------------


def test_link_to_an_own_sandbox(api, user):
    session = OnboardingSessionFactory(user=user, sandbox=None)
    sandbox = SandboxFactory(user=user)
    response = post(api, f"/api/onboarding/{session.id}/link", {"sandboxId": sandbox.id})
    assert (response.status_code, response.json()) == (200, {"session": session_body(session)})
    assert session.sandbox_id == sandbox.id


def test_link_refuses_someone_elses_sandbox_and_one_already_taken(api, user, other_user, mine):
    session = OnboardingSessionFactory(user=user, sandbox=None)
    foreign = SandboxFactory(user=other_user)
    response = post(api, f"/api/onboarding/{session.id}/link", {"sandboxId": foreign.id})
    assert (response.status_code, response.json()) == (404, {"error": f"Sandbox not found: {foreign.id}"})
    taken = post(api, f"/api/onboarding/{session.id}/link", {"sandboxId": mine.sandbox_id})
    assert (taken.status_code, taken.json()) == (409, {"error": "Sandbox already has an onboarding session"})
    session.refresh_from_db()
    assert session.sandbox_id is None


# -- the sandbox, without one --------------------------------------------------------------------------------


def test_without_a_sandbox_apply_and_config_are_409_and_validate_says_so(api, user):
    session = OnboardingSessionFactory(user=user, sandbox=None, status="completed")
    no_sandbox = (409, {"error": "Session has no associated sandbox"})
    applied = post(api, f"/api/onboarding/{session.id}/apply")
    assert (applied.status_code, applied.json()) == no_sandbox
    config = api.get(f"/api/onboarding/{session.id}/config")
    assert (config.status_code, config.json()) == no_sandbox
    assert api.get(f"/api/onboarding/{session.id}/validate-sandbox").json() == {
        "valid": False,
        "errors": ["Session has no associated sandbox"],
    }
    assert session_body(session)["status"] == "completed"


def test_a_stopped_sandbox_fails_apply_with_503_and_marks_the_session(api, user):
    session = OnboardingSessionFactory(
        user=user, sandbox=SandboxFactory(user=user, status="stopped"), status="completed"
    )
    response = post(api, f"/api/onboarding/{session.id}/apply")
    assert (response.status_code, response.json()) == (
        503,
        {"error": "Sandbox is not running", "filesWritten": []},
    )
    assert (session_body(session)["status"], session.error_message) == ("failed", "Sandbox is not running")
    assert api.get(f"/api/onboarding/{session.id}/validate-sandbox").json() == {
        "valid": False,
        "errors": ["Sandbox is not running", "Sandbox has no container"],
    }
    config = api.get(f"/api/onboarding/{session.id}/config")
    assert (config.status_code, config.json()) == (503, {"error": "Sandbox is not running"})


# -- models and guides ---------------------------------------------------------------------------------------


def test_recommend_without_credentials_is_the_old_answer(api, other_user):
    ProviderCredentialFactory(user=other_user, provider_id="anthropic")  # someone else's never counts
    response = api.get("/api/onboarding/models/recommend")
    assert (response.status_code, response.json()) == (
        200,
        {
            "recommendation": {
                "primaryModelId": "",
                "primaryModelName": "No model available",
                "primaryProvider": "",
                "reasoning": "No AI providers are configured. To use the AI assistant, please configure at "
                "least one provider (Anthropic, OpenAI, Google, etc.) with your API key.",
                "alternativeModelIds": [],
            }
        },
    )


def test_recommend_from_the_callers_providers(api, user, models_dev):
    ProviderCredentialFactory(user=user, provider_id="anthropic")
    ProviderCredentialFactory(user=user, provider_id="google")
    response = api.get("/api/onboarding/models/recommend")
    assert (response.status_code, response.json()) == (
        200,
        {
            "recommendation": {
                "primaryModelId": "claude-sonnet-4-5",
                "primaryModelName": "Claude Sonnet 4.5",
                "primaryProvider": "anthropic",
                "smallModelId": "claude-haiku-4-5",
                "smallModelName": "Claude Haiku 4.5",
                "smallProvider": "anthropic",
                "reasoning": "Claude Sonnet 4.5 is the most capable model of your configured provider "
                "Anthropic, a good fit for coding with tools.",
                "alternativeModelIds": ["gemini-2.5-pro", "claude-haiku-4-5"],
            }
        },
    )


def test_recommend_strategies(api, user, models_dev):
    for provider in ("anthropic", "openai", "google"):
        ProviderCredentialFactory(user=user, provider_id=provider)
    SettingFactory(key=f"default_provider:{user.pk}", value="openai")

    def recommend(query=""):
        return api.get(f"/api/onboarding/models/recommend{query}").json()["recommendation"]

    default = recommend()
    assert (default["primaryModelId"], default["smallModelId"]) == ("gpt-5", "gpt-4o-mini")
    assert "default provider OpenAI" in default["reasoning"]
    assert default["alternativeModelIds"] == [
        "claude-sonnet-4-5",
        "gemini-2.5-pro",
        "claude-haiku-4-5",
        "gpt-4o-mini",
    ]
    cheap = recommend("?preferLowCost=true&preferFast=true")
    assert cheap["primaryModelId"] == "gpt-4o-mini" and "cost-effectiveness" in cheap["reasoning"]
    fast = recommend("?preferFast=true")
    assert fast["primaryModelId"] == "gpt-4o-mini" and "fast response times" in fast["reasoning"]
    large = recommend("?requireLargeContext=true&preferLowCost=true")
    assert (large["primaryModelId"], large["primaryProvider"]) == ("gemini-2.5-pro", "google")
    assert "large context window of 1,048,576 tokens" in large["reasoning"]
    assert "smallModelId" not in large  # Google has one model in the catalogue
    assert recommend("?requireLargeContext=no")["primaryModelId"] == "gpt-5"


def test_recommend_without_the_catalogue_is_503(api, user):
    ProviderCredentialFactory(user=user, provider_id="anthropic")
    with responses.RequestsMock() as mock:
        mock.get("https://models.dev/api.json", status=500)
        response = api.get("/api/onboarding/models/recommend")
    assert (response.status_code, response.json()) == (503, {"error": "Provider catalogue unavailable"})


def test_setup_guides(api):
    anthropic = api.get("/api/onboarding/providers/setup/anthropic").json()["guide"]
    assert (anthropic["name"], anthropic["envVar"], anthropic["apiKeyUrl"]) == (
        "Anthropic",
        "ANTHROPIC_API_KEY",
        "https://console.anthropic.com/settings/keys",
    )
    assert (
        "In AgentPod, open Settings → Providers, choose the provider and paste the key" in anthropic["steps"]
    )
    for provider, name, env_var, host in [
        ("openai", "OpenAI", "OPENAI_API_KEY", "platform.openai.com"),
        ("google", "Google AI (Gemini)", "GOOGLE_GENERATIVE_AI_API_KEY", "aistudio.google.com"),
        ("groq", "Groq", "GROQ_API_KEY", "console.groq.com"),
        ("OpenRouter", "OpenRouter", "OPENROUTER_API_KEY", "openrouter.ai"),
    ]:
        guide = api.get(f"/api/onboarding/providers/setup/{provider}").json()["guide"]
        assert (guide["name"], guide["envVar"], host in guide["apiKeyUrl"]) == (name, env_var, True)
    unknown = api.get("/api/onboarding/providers/setup/unknown-provider")
    assert (unknown.status_code, unknown.json()) == (
        200,
        {
            "guide": {
                "name": "unknown-provider",
                "steps": [
                    "Create an account with unknown-provider and make an API key on its website",
                    "In AgentPod, open Settings → Providers, choose the provider and paste the key",
                    "Keep the key out of repositories and chat messages: AgentPod stores it encrypted",
                ],
                "apiKeyUrl": "",
                "envVar": "UNKNOWN_PROVIDER_API_KEY",
            }
        },
    )


# -- who may call --------------------------------------------------------------------------------------------

PATHS = [
    ("get", "/api/onboarding"),
    ("post", "/api/onboarding"),
    ("get", "/api/onboarding/stats"),
    ("get", "/api/onboarding/models/recommend"),
    ("get", "/api/onboarding/providers/setup/openai"),
    ("get", "/api/onboarding/sandbox/{sandbox}"),
    ("get", "/api/onboarding/{id}"),
    ("delete", "/api/onboarding/{id}"),
    *(
        ("post", f"/api/onboarding/{{id}}/{step}")
        for step in ("start", "requirements", "models", "complete", "skip", "reset", "apply", "link")
    ),
    ("get", "/api/onboarding/{id}/config"),
    ("get", "/api/onboarding/{id}/validate-sandbox"),
]


def test_eighteen_endpoints():
    assert len(PATHS) == 18


@pytest.mark.parametrize("method, path", PATHS)
def test_anonymous_is_401_and_machine_credentials_are_403(client, service_api, mine, method, path):
    from sandboxes.credentials import sandbox_api_token

    path = path.format(id=mine.id, sandbox=mine.sandbox_id)
    container = Client(HTTP_AUTHORIZATION=f"Bearer {sandbox_api_token(mine.sandbox_id)}")
    response = getattr(client, method)(path, content_type="application/json")
    assert (response.status_code, response.json()) == (
        401,
        {"error": "Unauthorized", "message": "Valid session or API key required"},
    )
    for caller in (service_api, container):
        response = getattr(caller, method)(path, content_type="application/json")
        assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})
    assert OnboardingSession.objects.filter(pk=mine.pk).exists()
