"""Reads of the knowledge base: listing, ranked search (full-text, vector, both fused), stats, lookups.

Ranking (DECISIONS 30), instead of the old `ILIKE '%q%'` ordered by date:
- full-text: `websearch_to_tsquery('english', q)` against the stored weighted document (title A,
  description and tags B, content C; `KnowledgeDocument.search_vector`, GIN-indexed), ranked by
  `ts_rank_cd`, newest first among equals;
- vector: cosine distance between the query's embedding and `embedding` (HNSW-indexed); the results
  carry `similarity` = 1 - distance;
- hybrid, the default once documents have embeddings: both candidate lists fused by reciprocal rank
  fusion (RRF: score = sum of 1 / (60 + rank)), so a document both rankings like comes first.
Without embeddings (none computed, no API configured, or the API failing) search is full-text, and the
result's `mode` says which ranking was used.

Knowledge is global (not per user). Categories are the nine of the database enum (DECISIONS 19).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Count, F, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast, Lower, Replace
from pgvector.django import CosineDistance

from core.fields import dump_json
from providers.catalogue import POPULAR_PROVIDERS, catalogue_providers
from providers.selectors import configured_provider_ids, default_provider_id

from . import embeddings
from .models import SEARCH_CONFIG, EmbeddingStatus, KnowledgeCategory, KnowledgeDocument

# name and description of each category, in the enum's order (`GET /api/knowledge/categories`). The first
# four keep the old server's wording.
CATEGORIES = {
    KnowledgeCategory.PROJECT_TEMPLATE: ("Project Templates", "Templates for common project types"),
    KnowledgeCategory.AGENT_PATTERN: ("Agent Patterns", "Patterns for AI agent behavior"),
    KnowledgeCategory.COMMAND_TEMPLATE: ("Command Templates", "Templates for custom commands"),
    KnowledgeCategory.TOOL_TEMPLATE: ("Tool Templates", "Custom tools an agent can call"),
    KnowledgeCategory.PLUGIN_TEMPLATE: ("Plugin Templates", "OpenCode plugins that hook into agent events"),
    KnowledgeCategory.MCP_TEMPLATE: ("MCP Templates", "MCP servers to connect to an agent"),
    KnowledgeCategory.WORKFLOW_PATTERN: ("Workflow Patterns", "Ways of working with an agent, step by step"),
    KnowledgeCategory.BEST_PRACTICE: ("Best Practices", "Coding and workflow best practices"),
    KnowledgeCategory.PROVIDER_GUIDE: ("Provider Guides", "Setting up LLM providers"),
}

RRF_K = 60
# Each ranking contributes this many candidates to the fusion (more than `limit`, so a document ranked
# moderately by both can still overtake one ranked high by only one).
FUSION_CANDIDATES = 50

MODE_FULLTEXT, MODE_SEMANTIC, MODE_HYBRID = "fulltext", "semantic", "hybrid"

# The default project types when no project template exists (`list_project_types`).
DEFAULT_PROJECT_TYPES = [
    ("web_app", "A website or web application with a browser front end"),
    ("api_service", "An HTTP or RPC service other programs call"),
    ("cli_tool", "A program run from the terminal"),
    ("library", "A package other projects import"),
    ("mobile_app", "An iOS or Android application"),
    ("desktop_app", "An application installed on a desktop operating system"),
    ("data_science", "Notebooks, analyses and models over data"),
    ("devops", "Infrastructure, deployment and automation code"),
    ("monorepo", "Several projects in one repository"),
    ("other", "Anything else"),
]


@dataclass
class SearchResult:
    documents: list[KnowledgeDocument]  # in rank order; `similarity` set on each in the vector modes
    mode: str


def documents() -> "QuerySet[KnowledgeDocument]":  # noqa: F821
    """Every document, without the two columns no response shows (a vector is 1536 floats)."""
    return KnowledgeDocument.objects.defer("embedding", "search_vector")


def document_get(*, document_id: str) -> KnowledgeDocument | None:
    return documents().filter(pk=document_id).first()


def text_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def _filtered(*, categories: list[str] | None = None, tags: list[str] | None = None):
    queryset = documents()
    if categories:
        queryset = queryset.filter(category__in=categories)
    if tags:
        # `tags` is JSON text: a tag is an element when its JSON string (quotes included) is in the text.
        queryset = queryset.annotate(tags_text=Cast("tags", TextField()))
        any_tag = Q()
        for tag in tags:
            any_tag |= Q(tags_text__icontains=dump_json(tag))
        queryset = queryset.filter(any_tag)
    return queryset


def _ranked_by_text(queryset, query: str):
    search = text_query(query)
    return (queryset.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search, cover_density=True))
            .order_by("-rank", "-updated_at", "id"))


def _ranked_by_vector(queryset, vector: list[float]):
    return (queryset.filter(embedding__isnull=False)
            .annotate(distance=CosineDistance("embedding", vector))
            .order_by("distance", "id"))


def documents_list(*, query: str | None = None, category: str | None = None, limit: int = 20,
                   offset: int = 0) -> tuple[list[KnowledgeDocument], int]:
    """`GET /api/knowledge`: a page and the number of matches (DECISIONS 20). Two queries."""
    queryset = _filtered(categories=[category] if category else None)
    queryset = _ranked_by_text(queryset, query) if query else queryset.order_by("-updated_at", "id")
    return list(queryset[offset:offset + limit]), queryset.count()


def semantic_search_available() -> bool:
    """Whether vector ranking can be tried at all: an API to embed the query, and embedded documents."""
    return (embeddings.embeddings_configured()
            and KnowledgeDocument.objects.filter(embedding_status=EmbeddingStatus.COMPLETED).exists())


def documents_search(*, query: str | None = None, categories: list[str] | None = None,
                     tags: list[str] | None = None, limit: int = 10, semantic: bool = False) -> SearchResult:
    """`POST /api/knowledge/search` and the MCP `search_knowledge` tool.

    `semantic` asks for vector ranking only; otherwise both rankings are fused when embeddings exist.
    Without a query, the filtered documents come newest first.
    """
    queryset = _filtered(categories=categories, tags=tags)
    if not query:
        return SearchResult(list(queryset.order_by("-updated_at", "id")[:limit]), MODE_FULLTEXT)
    vector = embeddings.embed_query(query) if semantic_search_available() else None
    if vector is None:
        return SearchResult(list(_ranked_by_text(queryset, query)[:limit]), MODE_FULLTEXT)
    if semantic:
        found = list(_ranked_by_vector(queryset, vector)[:limit])
        for document in found:
            document.similarity = 1 - document.distance
        return SearchResult(found, MODE_SEMANTIC)
    return SearchResult(_fused(queryset, query, vector, limit), MODE_HYBRID)


def _fused(queryset, query: str, vector: list[float], limit: int) -> list[KnowledgeDocument]:
    """Reciprocal rank fusion of the full-text and the vector rankings (two queries)."""
    candidates = max(limit, FUSION_CANDIDATES)
    by_text = list(_ranked_by_text(queryset, query).annotate(distance=CosineDistance("embedding", vector))
                   [:candidates])
    by_vector = list(_ranked_by_vector(queryset, vector)[:candidates])
    scores: dict[str, float] = {}
    found: dict[str, KnowledgeDocument] = {}
    for ranking in (by_text, by_vector):
        for position, document in enumerate(ranking, start=1):
            scores[document.pk] = scores.get(document.pk, 0.0) + 1.0 / (RRF_K + position)
            found.setdefault(document.pk, document)
    ordered = sorted(found.values(), key=lambda document: (-scores[document.pk], document.pk))[:limit]
    for document in ordered:
        # Documents not embedded yet (added since the last embed_knowledge) have no similarity.
        document.similarity = None if document.distance is None else 1 - document.distance
    return ordered


def category_counts() -> list[dict]:
    """The nine categories with their document counts, in the enum's order (one query)."""
    counts = dict(KnowledgeDocument.objects.values_list("category").annotate(n=Count("id")).order_by())
    return [{"id": str(category), "name": name, "description": description, "count": counts.get(category, 0)}
            for category, (name, description) in CATEGORIES.items()]


def knowledge_stats() -> dict:
    """Totals by category (only categories that have documents) and by embedding status (two queries)."""
    counts = dict(KnowledgeDocument.objects.values_list("category").annotate(n=Count("id")).order_by())
    statuses = KnowledgeDocument.objects.aggregate(
        total=Count("id"),
        # A NULL status (possible in rows written by plain SQL) has no embedding either: pending.
        pending=Count("id", filter=Q(embedding_status=EmbeddingStatus.PENDING)
                      | Q(embedding_status__isnull=True)),
        processing=Count("id", filter=Q(embedding_status=EmbeddingStatus.PROCESSING)),
        completed=Count("id", filter=Q(embedding_status=EmbeddingStatus.COMPLETED)),
        failed=Count("id", filter=Q(embedding_status=EmbeddingStatus.FAILED)),
    )
    return {
        "totalDocuments": statuses.pop("total"),
        "byCategory": {str(category): counts[category] for category in CATEGORIES if counts.get(category)},
        "embeddingStats": statuses,
    }


def normalised_key(value: str) -> str:
    """`Web App`, `web-app` and `web_app` are the same key."""
    return "_".join(value.strip().lower().replace("-", " ").replace("_", " ").split())


def template_find(*, category: str, key: str) -> KnowledgeDocument | None:
    """The document of `category` that `key` names (a project type, an agent role, a command name).

    An exact match first (an `applicableTo` entry, or the title as a key: "Web App" is `web_app`), then
    the best full-text match of the key's words; None when nothing matches. One query.
    """
    key = normalised_key(key)
    if not key:
        return None
    search = text_query(key.replace("_", " "))
    text = TextField()
    dashes_as_spaces = Replace(F("title"), Value("-"), Value(" "), output_field=text)
    title_key = Lower(Replace(dashes_as_spaces, Value(" "), Value("_"), output_field=text), output_field=text)
    exact = (Q(applicable_text__icontains=dump_json(key))
             | Q(applicable_text__icontains=dump_json(key.replace("_", "-"))) | Q(title_key=key))
    return (documents().filter(category=category)
            .annotate(applicable_text=Cast("applicable_to", TextField()), title_key=title_key)
            .annotate(exact=Case(When(exact, then=Value(1)), default=Value(0), output_field=IntegerField()),
                      rank=SearchRank(F("search_vector"), search, cover_density=True))
            .filter(Q(exact=1) | Q(search_vector=search))
            .order_by("-exact", "-rank", "-updated_at", "id").first())


def project_types() -> list[dict]:
    """`list_project_types`: one entry per project template, else the ten defaults."""
    templates = documents().filter(category=KnowledgeCategory.PROJECT_TEMPLATE).order_by("title")
    types = [{"name": normalised_key(document.title), "description": document.description or ""}
             for document in templates.only("title", "description")]
    return types or [{"name": name, "description": description}
                     for name, description in DEFAULT_PROJECT_TYPES]


# -- models for the MCP `get_available_models` tool ---------------------------------------------------------

MODELS_PER_PROVIDER = 5


def available_models(*, user=None, capability: str | None = None, tier: str | None = None) -> dict:
    """Catalogue models an agent could use, with a recommendation.

    Only the caller's own credentials count (DECISIONS 5): a user with configured providers gets those
    providers' models (their default provider first); a user without any, or the service token, gets the
    popular providers'. `capability`: `code` (tool calling), `vision` (image input), anything else all;
    `tier`: `free` keeps the models that cost nothing, other tiers do not filter. Raises
    `CatalogueUnavailable` when models.dev has never been reached.
    """
    catalogue = catalogue_providers()
    configured = configured_provider_ids(user=user) if user is not None else set()
    default = default_provider_id(user=user) if user is not None else None
    chosen = [p for p in catalogue.values() if p.id in configured] if configured else [
        p for p in catalogue.values() if p.id in POPULAR_PROVIDERS]
    chosen.sort(key=lambda provider: provider.id != default)

    def wanted(model) -> bool:
        if capability == "code" and not model.tools:
            return False
        if capability == "vision" and not model.image:
            return False
        return not (tier == "free" and (model.input_price or model.output_price))

    entries = []
    for provider in chosen:
        # The most capable first, with price as the proxy models.dev offers for capability.
        models = sorted((m for m in provider.models if wanted(m)), key=lambda m: (-m.output_price, m.id))
        entries.extend((provider, model) for model in models[:MODELS_PER_PROVIDER])
    primary = entries[0] if entries else None
    small = next((e for e in reversed(entries) if primary and e[0] is primary[0] and e is not primary), None)
    models = [{"id": f"{provider.id}/{model.id}", "name": model.name, "provider": provider.id,
               "isRecommended": (provider, model) == primary,
               "capabilities": ["chat", *(["code"] if model.tools else []),
                                *(["vision"] if model.image else [])]}
              for provider, model in entries]
    if primary is None:
        reasoning = "No catalogue model matches the request."
    elif configured:
        which = "default" if primary[0].id == default else "configured"
        reasoning = f"The most capable model of your {which} provider {primary[0].name}."
    else:
        reasoning = (f"No provider is configured yet: the most capable model of {primary[0].name}, a popular "
                     f"provider. Configure one in AgentPod to get recommendations for your own providers.")
    return {"models": models, "recommendation": {
        "primary": models[0]["id"] if primary else None,
        "small": f"{small[0].id}/{small[1].id}" if small else None,
        "reasoning": reasoning}}
