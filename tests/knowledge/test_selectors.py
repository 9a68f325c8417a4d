"""Knowledge search ranks: full-text with stemming and weights, vectors, both fused (knowledge/selectors.py).

Each ranking test would fail on the old `ILIKE '%q%'` ordered by date: it finds words by stem, not by
substring, and orders by relevance, not by age.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge import selectors
from knowledge.models import KnowledgeDocument
from knowledge.services import embedding_text, knowledge_embed
from tests.factories import KnowledgeDocumentFactory, ProviderCredentialFactory
from tests.providers.catalogue_data import MODELS_DEV

from .embeddings_server import vector_of

pytestmark = pytest.mark.django_db


def ids(documents) -> list[str]:
    return [document.id for document in documents]


def aged(document, days: int):
    """Make `document` look older (updated_at is auto_now on save, so set it with an update)."""
    KnowledgeDocument.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(days=days))
    return document


# -- full-text -----------------------------------------------------------------------------------------------


def test_a_title_match_beats_a_body_match_even_when_older():
    aged(KnowledgeDocumentFactory(id="title", title="Docker deployment", content="Ship it."), days=30)
    KnowledgeDocumentFactory(id="body", title="Shipping", content="Use docker deployment for releases.")
    assert ids(selectors.documents_search(query="docker deployment").documents) == ["title", "body"]


def test_description_and_tags_weigh_more_than_content():
    KnowledgeDocumentFactory(id="content", title="A", content="Running kubernetes clusters.")
    aged(KnowledgeDocumentFactory(id="tags", title="B", tags=["kubernetes"], content="Clusters."), days=5)
    aged(
        KnowledgeDocumentFactory(id="description", title="C", description="About kubernetes", content="x"),
        days=9,
    )
    ranked = ids(selectors.documents_search(query="kubernetes").documents)
    assert ranked[-1] == "content"
    assert set(ranked[:2]) == {"tags", "description"}


def test_stemming_finds_testing_for_tests_and_back():
    KnowledgeDocumentFactory(id="testing", title="Unit testing guide", content="How we work.")
    KnowledgeDocumentFactory(id="tests", title="Other", content="Run the tests before pushing.")
    KnowledgeDocumentFactory(id="unrelated", title="Latest", content="Nothing about it; contest attestation.")
    assert set(ids(selectors.documents_search(query="tests").documents)) == {"testing", "tests"}
    assert set(ids(selectors.documents_search(query="testing").documents)) == {"testing", "tests"}


def test_websearch_syntax_phrases_and_exclusion():
    KnowledgeDocumentFactory(id="react-testing", title="React testing", content="Jest and Testing Library.")
    KnowledgeDocumentFactory(id="react-hooks", title="React hooks", content="State and effects.")
    assert ids(selectors.documents_search(query="react -testing").documents) == ["react-hooks"]
    assert ids(selectors.documents_search(query='"react hooks"').documents) == ["react-hooks"]


def test_list_paginates_and_counts_all_matches():
    for n in range(5):
        aged(KnowledgeDocumentFactory(id=f"p{n}", title=f"Pagination guide {n}"), days=n)
    KnowledgeDocumentFactory(id="other", title="Something else")
    page, total = selectors.documents_list(query="pagination", limit=2, offset=2)
    assert (ids(page), total) == (["p2", "p3"], 5)
    page, total = selectors.documents_list(limit=2)
    assert (ids(page), total) == (["other", "p0"], 6)


def test_filters_by_categories_and_any_of_the_tags():
    KnowledgeDocumentFactory(id="a", category="agent_pattern", title="Review A", tags=["react", "frontend"])
    KnowledgeDocumentFactory(id="b", category="command_template", title="Review B", tags=["python"])
    KnowledgeDocumentFactory(id="c", category="best_practice", title="Review C", tags=["React"])
    KnowledgeDocumentFactory(id="d", category="best_practice", title="Review D", tags=["reactive"])
    search = selectors.documents_search
    assert set(ids(search(query="review", categories=["agent_pattern", "command_template"]).documents)) == {
        "a",
        "b",
    }
    assert set(ids(search(query="review", tags=["react"]).documents)) == {"a", "c"}  # whole tags, any case
    assert set(ids(search(tags=["python", "frontend"]).documents)) == {"a", "b"}


def test_a_query_without_embeddings_is_full_text_even_when_semantic_is_asked():
    KnowledgeDocumentFactory(id="ml", title="Machine learning", content="About AI.")
    result = selectors.documents_search(query="machine learning", semantic=True)
    assert (ids(result.documents), result.mode) == (["ml"], "fulltext")
    assert not hasattr(result.documents[0], "similarity")


# -- vectors -------------------------------------------------------------------------------------------------


@pytest.fixture
def embedded(embeddings_api):
    """Four documents with embeddings from the loopback API (its concepts: AI, databases, testing, web...)."""
    KnowledgeDocumentFactory(id="ml", title="Neural nets", content="This is about machine learning and AI.")
    KnowledgeDocumentFactory(
        id="sql", title="Indexes", content="PostgreSQL query plans and database indexes."
    )
    KnowledgeDocumentFactory(id="mixed", title="Records", content="A database for machine learning.")
    KnowledgeDocumentFactory(id="web", title="Frontend", content="React components.")
    report = knowledge_embed()
    assert sorted(report.embedded) == ["mixed", "ml", "sql", "web"]
    return embeddings_api


def test_semantic_search_ranks_by_cosine_distance_and_returns_similarity(embedded):
    # No word in common with "machine learning and AI": only the vectors know they are the same concept.
    result = selectors.documents_search(query="artificial intelligence", semantic=True, limit=3)
    assert result.mode == "semantic"
    # The loopback vectors: query (AI 2), ml (AI 4), mixed (AI 2, databases 1), web (web 2),
    # sql (databases 3).
    assert ids(result.documents) == ["ml", "mixed", "web"]
    query = vector_of("artificial intelligence")
    for document in result.documents:
        expected = sum(a * b for a, b in zip(query, vector_of(embedding_text(document)), strict=True))
        assert document.similarity == pytest.approx(expected, abs=1e-6)
    assert result.documents[0].similarity > 0.999


def test_by_default_embeddings_are_fused_with_full_text(embedded):
    # Full-text matches only "sql" (both words); the vectors rank sql, mixed (a database document too), then
    # web and ml (nothing in common). Fused: sql (first in both), then the vector ranking's order.
    result = selectors.documents_search(query="database query", limit=3)
    assert result.mode == "hybrid"
    assert ids(result.documents) == ["sql", "mixed", "web"]
    assert all(document.similarity is not None for document in result.documents)


def test_a_document_added_since_the_last_embedding_is_still_found_without_similarity(embedded):
    KnowledgeDocumentFactory(id="new", title="Database migrations", content="Changing a database safely.")
    result = selectors.documents_search(query="database migrations", limit=10)
    assert result.mode == "hybrid"
    new = next(document for document in result.documents if document.id == "new")
    assert result.documents[0] is new and new.similarity is None


def test_the_embeddings_api_failing_at_search_time_falls_back_to_full_text(embedded, caplog):
    embedded.fail_status = 503
    result = selectors.documents_search(query="indexes", semantic=True)
    assert (ids(result.documents), result.mode) == (["sql"], "fulltext")
    assert "searching full-text only" in caplog.text


def test_a_query_is_embedded_once_then_cached(embedded):
    before = len(embedded.inputs)
    selectors.documents_search(query="neural networks", semantic=True)
    selectors.documents_search(query="neural networks")
    assert embedded.inputs[before:] == ["neural networks"]


def test_semantic_search_uses_the_hnsw_index(embedded, django_assert_max_num_queries):
    from django.db import connection
    from pgvector.django import CosineDistance

    vector = [0.0] * 1535 + [1.0]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    plan = (
        KnowledgeDocument.objects.annotate(d=CosineDistance("embedding", vector)).order_by("d")[:5].explain()
    )
    assert "knowledge_embedding_hnsw_idx" in plan


def test_full_text_search_uses_the_gin_index():
    from django.db import connection

    from knowledge.selectors import text_query

    with connection.cursor() as cursor:
        # On a table this small the planner may walk any index; a GIN index is only read by a bitmap scan,
        # so with the other scans off the plan shows whether the match can use it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = KnowledgeDocument.objects.filter(search_vector=text_query("docker")).order_by().explain()
    assert "knowledge_search_vector_idx" in plan


# -- lookups, stats ------------------------------------------------------------------------------------------


def test_template_lookup_by_applicable_to_title_key_then_words():
    KnowledgeDocumentFactory(
        id="web", category="project_template", title="Web App", applicable_to=["frontend"]
    )
    KnowledgeDocumentFactory(
        id="api", category="project_template", title="Service", applicable_to=["api_service"]
    )
    KnowledgeDocumentFactory(
        id="cli", category="project_template", title="Command line tools", content="Building a CLI."
    )
    KnowledgeDocumentFactory(id="not-a-template", category="best_practice", title="Web App")
    find = selectors.template_find
    assert find(category="project_template", key="web_app").id == "web"  # the title as a key
    assert find(category="project_template", key="Web-App").id == "web"
    assert find(category="project_template", key="frontend").id == "web"  # applicableTo
    assert find(category="project_template", key="api_service").id == "api"
    assert find(category="project_template", key="command_line").id == "cli"  # words, full-text
    assert find(category="project_template", key="nonexistent_type_xyz") is None
    assert find(category="agent_pattern", key="web_app") is None


def test_project_types_from_templates_else_the_ten_defaults():
    assert [t["name"] for t in selectors.project_types()] == [
        "web_app",
        "api_service",
        "cli_tool",
        "library",
        "mobile_app",
        "desktop_app",
        "data_science",
        "devops",
        "monorepo",
        "other",
    ]
    KnowledgeDocumentFactory(category="project_template", title="Data Pipeline", description="ETL jobs")
    assert selectors.project_types() == [{"name": "data_pipeline", "description": "ETL jobs"}]


def test_stats_count_categories_and_embedding_statuses(django_assert_num_queries):
    KnowledgeDocumentFactory(category="agent_pattern", embedding_status="completed")
    KnowledgeDocumentFactory(category="agent_pattern")
    KnowledgeDocumentFactory(category="mcp_template", embedding_status="failed")
    KnowledgeDocument.objects.filter(category="mcp_template").update(embedding_status=None)
    with django_assert_num_queries(2):
        stats = selectors.knowledge_stats()
    assert stats == {
        "totalDocuments": 3,
        "byCategory": {"agent_pattern": 2, "mcp_template": 1},
        "embeddingStats": {"pending": 2, "processing": 0, "completed": 1, "failed": 0},
    }


# -- available models (MCP get_available_models) -------------------------------------------------------------


@pytest.fixture
def models_dev():
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("https://models.dev/api.json", json=MODELS_DEV)
        yield mock


def test_models_for_a_user_come_from_their_own_providers_only(models_dev, user, other_user):
    ProviderCredentialFactory(user=other_user, provider_id="groq")
    ProviderCredentialFactory(user=user, provider_id="openai")
    models = selectors.available_models(user=user)
    assert {m["provider"] for m in models["models"]} == {"openai"}
    assert models["recommendation"] == {
        "primary": "openai/gpt-5",
        "small": "openai/gpt-4o-mini",
        "reasoning": "The most capable model of your configured provider OpenAI.",
    }
    assert models["models"][0] == {
        "id": "openai/gpt-5",
        "name": "GPT-5",
        "provider": "openai",
        "isRecommended": True,
        "capabilities": ["chat", "code", "vision"],
    }


def test_models_without_credentials_come_from_popular_providers_filtered(models_dev):
    models = selectors.available_models(user=None, tier="free")
    assert [m["id"] for m in models["models"]] == ["github-copilot/gpt-4.1"]
    vision = selectors.available_models(user=None, capability="vision")
    assert "groq/llama-3.3-70b-versatile" not in [m["id"] for m in vision["models"]]
