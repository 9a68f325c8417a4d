"""`/api/knowledge/*` (api-contract 2.14, DECISIONS 19, 20, 30): whole bodies, as user, other user, anonymous
and the service token. Knowledge is global, so another user reads exactly what the first one reads."""

from datetime import datetime, timezone

import pytest

from core.api.exception_handler import UNAUTHORIZED_BODY
from knowledge.models import KnowledgeDocument
from knowledge.services import knowledge_embed
from tests.factories import KnowledgeDocumentFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
ISO = "2026-01-02T03:04:05.678Z"


def document(**fields):
    doc = KnowledgeDocumentFactory(
        **{
            "title": "Docker deployment",
            "description": "Shipping images",
            "content": "Build, tag and push.",
            "tags": ["docker", "deploy"],
            **fields,
        }
    )
    KnowledgeDocument.objects.filter(pk=doc.pk).update(created_at=WHEN, updated_at=WHEN)
    return doc


def full(doc_id, **fields) -> dict:
    return {
        "id": doc_id,
        "category": "best_practice",
        "title": "Docker deployment",
        "description": "Shipping images",
        "content": "Build, tag and push.",
        "tags": ["docker", "deploy"],
        "applicableTo": None,
        "metadata": {},
        "embeddingStatus": "pending",
        "version": 1,
        "createdAt": ISO,
        "updatedAt": ISO,
        **fields,
    }


def item(doc_id, **fields) -> dict:
    return {
        "id": doc_id,
        "category": "best_practice",
        "title": "Docker deployment",
        "description": "Shipping images",
        "tags": ["docker", "deploy"],
        "createdAt": ISO,
        "updatedAt": ISO,
        **fields,
    }


URLS = [
    ("get", "/api/knowledge"),
    ("get", "/api/knowledge/categories"),
    ("get", "/api/knowledge/stats"),
    ("get", "/api/knowledge/doc-1"),
    ("post", "/api/knowledge/search"),
]


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_is_401_and_the_service_token_403(method, url, client, service_api):
    document(id="doc-1")
    response = getattr(client, method)(url, content_type="application/json")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED_BODY)
    response = getattr(service_api, method)(url, content_type="application/json")
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})


def test_list_newest_first_without_content(api, other_api):
    document(id="doc-1")
    newer = KnowledgeDocumentFactory(id="doc-2", title="Newer", description=None, tags=None, metadata=None)
    body = api.get("/api/knowledge").json()
    assert body["total"] == 2
    assert body["documents"][1] == item("doc-1")
    assert body["documents"][0]["id"] == "doc-2"
    assert (body["documents"][0]["description"], body["documents"][0]["tags"]) == (None, [])
    assert other_api.get("/api/knowledge").json() == body
    assert api.get("/api/knowledge/doc-2").json()["document"]["metadata"] == {}
    assert newer.pk == "doc-2"


def test_list_query_ranks_and_total_counts_every_match(api):
    document(id="body", title="Releases", content="We use docker for every deployment.")
    document(id="title", title="Docker deployment")
    document(id="none", title="Unrelated", description=None, tags=[], content="Nothing.")
    body = api.get("/api/knowledge?query=docker%20deployments&limit=1").json()
    assert body == {"documents": [item("title")], "total": 2}
    assert api.get("/api/knowledge?query=docker&limit=1&offset=1").json()["documents"][0]["id"] == "body"


def test_list_paging_values_are_lenient_as_before(api):
    for n in range(3):
        document(id=f"d{n}")
    assert api.get("/api/knowledge?limit=-1&offset=-5").json()["total"] == 3
    assert len(api.get("/api/knowledge?limit=abc").json()["documents"]) == 3
    assert len(api.get("/api/knowledge?limit=500").json()["documents"]) == 3
    assert api.get("/api/knowledge?query=").json()["total"] == 3


def test_list_category_is_one_of_the_nine(api):
    document(id="a", category="mcp_template")
    document(id="b", category="agent_pattern")
    assert api.get("/api/knowledge?category=mcp_template").json() == {
        "documents": [item("a", category="mcp_template")],
        "total": 1,
    }
    response = api.get("/api/knowledge?category=troubleshooting")
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "Invalid request",
            "details": 'category: "troubleshooting" is not a valid choice.',
            "fields": {"category": ['"troubleshooting" is not a valid choice.']},
        },
    )


def test_get_one_document_or_404(api, other_api):
    document(id="doc-1", applicable_to=["web_app"], metadata={"source": "test"})
    expected = {"document": full("doc-1", applicableTo=["web_app"], metadata={"source": "test"})}
    assert api.get("/api/knowledge/doc-1").json() == expected
    assert other_api.get("/api/knowledge/doc-1").json() == expected
    missing = api.get("/api/knowledge/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "Document not found: nope"})


def test_categories_are_the_nine_with_counts(api, django_assert_num_queries):
    document(id="a", category="agent_pattern")
    document(id="b", category="agent_pattern")
    document(id="c", category="provider_guide")
    body = api.get("/api/knowledge/categories").json()
    assert body == {
        "categories": [
            {
                "id": "project_template",
                "name": "Project Templates",
                "description": "Templates for common project types",
                "count": 0,
            },
            {
                "id": "agent_pattern",
                "name": "Agent Patterns",
                "description": "Patterns for AI agent behavior",
                "count": 2,
            },
            {
                "id": "command_template",
                "name": "Command Templates",
                "description": "Templates for custom commands",
                "count": 0,
            },
            {
                "id": "tool_template",
                "name": "Tool Templates",
                "description": "Custom tools an agent can call",
                "count": 0,
            },
            {
                "id": "plugin_template",
                "name": "Plugin Templates",
                "description": "OpenCode plugins that hook into agent events",
                "count": 0,
            },
            {
                "id": "mcp_template",
                "name": "MCP Templates",
                "description": "MCP servers to connect to an agent",
                "count": 0,
            },
            {
                "id": "workflow_pattern",
                "name": "Workflow Patterns",
                "description": "Ways of working with an agent, step by step",
                "count": 0,
            },
            {
                "id": "best_practice",
                "name": "Best Practices",
                "description": "Coding and workflow best practices",
                "count": 0,
            },
            {
                "id": "provider_guide",
                "name": "Provider Guides",
                "description": "Setting up LLM providers",
                "count": 1,
            },
        ]
    }


def test_stats(api):
    document(id="a", category="agent_pattern")
    document(id="b", category="best_practice", embedding_status="failed")
    assert api.get("/api/knowledge/stats").json() == {
        "totalDocuments": 2,
        "byCategory": {"agent_pattern": 1, "best_practice": 1},
        "embeddingStats": {"pending": 1, "processing": 0, "completed": 0, "failed": 1},
    }


def test_search_full_text_whole_body(api, other_api):
    document(id="doc-1")
    document(id="doc-2", title="Cooking", description=None, tags=[], content="Recipes.")
    body = {"query": "deploying", "limit": 5}
    expected = {"documents": [full("doc-1")], "searchMode": "fulltext"}
    assert api.post("/api/knowledge/search", body, content_type="application/json").json() == expected
    assert other_api.post("/api/knowledge/search", body, content_type="application/json").json() == expected


def test_search_filters_and_validation(api):
    document(id="a", category="agent_pattern", title="MultiCat A", tags=["react"])
    document(id="b", category="command_template", title="MultiCat B", tags=["python"])
    document(id="c", category="best_practice", title="MultiCat C", tags=["react"])

    def search(**body):
        response = api.post("/api/knowledge/search", body, content_type="application/json")
        return response.status_code, response.json()

    status, body = search(query="multicat", categories=["agent_pattern", "command_template"])
    assert (status, sorted(doc["id"] for doc in body["documents"])) == (200, ["a", "b"])
    status, body = search(query="multicat", tags=["react"], limit=1)
    assert (status, len(body["documents"])) == (200, 1)
    assert search(categories=["workflow_example"]) == (
        400,
        {
            "error": "Invalid request",
            "details": 'categories.0: "workflow_example" is not a valid choice.',
            "fields": {"categories.0": ['"workflow_example" is not a valid choice.']},
        },
    )
    assert search(limit=0)[0] == 400
    assert search(limit=101)[0] == 400
    response = api.post("/api/knowledge/search", "{not json", content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Invalid request", "details": "Malformed JSON in request body"},
    )


def test_semantic_search_returns_similarity(api, embeddings_api):
    document(id="ml", title="Neural nets", description=None, tags=[], content="Machine learning and AI.")
    document(id="web", title="Frontend", description=None, tags=[], content="React components.")
    knowledge_embed()
    response = api.post(
        "/api/knowledge/search",
        {"query": "artificial intelligence", "useSemanticSearch": True},
        content_type="application/json",
    )
    body = response.json()
    assert body["searchMode"] == "semantic"
    assert [(doc["id"], doc["embeddingStatus"]) for doc in body["documents"]] == [
        ("ml", "completed"),
        ("web", "completed"),
    ]
    assert body["documents"][0]["similarity"] > 0.99 > body["documents"][1]["similarity"]
    assert set(body["documents"][0]) == set(full("ml")) | {"similarity"}
    hybrid = api.post("/api/knowledge/search", {"query": "react"}, content_type="application/json").json()
    assert (hybrid["searchMode"], [doc["id"] for doc in hybrid["documents"]]) == ("hybrid", ["web", "ml"])
