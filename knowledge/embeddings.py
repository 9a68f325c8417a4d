"""The client of the embeddings service: an OpenAI-compatible `POST {KNOWLEDGE_EMBEDDINGS_URL}/embeddings`.

One module for the one outside service knowledge search uses (STYLE 14): every call has a timeout, and
the service's failures become `EmbeddingsError` here, with a message that is safe to show and log. The
service's own response text is never shown or logged: an authentication error's text can echo part of
the key. The key itself is sent only in the `Authorization` header.

Query embeddings are cached (the same question asked twice costs one call), keyed by model and text.
"""

from __future__ import annotations

import hashlib
import logging

import httpx
from django.conf import settings
from django.core.cache import cache

from .models import EMBEDDING_DIMENSIONS

logger = logging.getLogger(__name__)

# A search waits at most this long for its query's embedding before falling back to full-text.
QUERY_TIMEOUT = 5.0
QUERY_CACHE_SECONDS = 24 * 3600
# The status codes that mean the service as a whole is unusable now, whatever the input.
SERVICE_FAILURES = {401, 403, 404, 429}


class EmbeddingsError(Exception):
    """The service did not embed the input. `str()` is safe to show: no response text, no key."""


class EmbeddingsUnavailable(EmbeddingsError):
    """Unreachable, timing out, refusing our key, rate limiting or failing (5xx): no input would help."""


def embeddings_configured() -> bool:
    return bool(settings.KNOWLEDGE_EMBEDDINGS_URL)


def model_name() -> str:
    return settings.KNOWLEDGE_EMBEDDINGS_MODEL


def embed_texts(texts: list[str], *, timeout: float | None = None) -> list[list[float]]:
    """One request embedding every text, in order. Raises `EmbeddingsError`."""
    if not embeddings_configured():
        raise EmbeddingsUnavailable("No embeddings API is configured (KNOWLEDGE_EMBEDDINGS_URL)")
    url = settings.KNOWLEDGE_EMBEDDINGS_URL.rstrip("/") + "/embeddings"
    headers = {"Content-Type": "application/json"}
    if settings.KNOWLEDGE_EMBEDDINGS_API_KEY:
        headers["Authorization"] = f"Bearer {settings.KNOWLEDGE_EMBEDDINGS_API_KEY}"
    try:
        response = httpx.post(url, json={"model": model_name(), "input": texts}, headers=headers,
                              timeout=timeout or settings.KNOWLEDGE_EMBEDDINGS_TIMEOUT)
    except httpx.TimeoutException:
        raise EmbeddingsUnavailable("The embeddings API timed out") from None
    except httpx.HTTPError as exc:
        raise EmbeddingsUnavailable(f"The embeddings API is unreachable ({type(exc).__name__})") from None
    if response.status_code in SERVICE_FAILURES or response.status_code >= 500:
        raise EmbeddingsUnavailable(f"The embeddings API answered HTTP {response.status_code}")
    if response.status_code != 200:
        raise EmbeddingsError(f"The embeddings API refused the input (HTTP {response.status_code})")
    return _vectors(response, expected=len(texts))


def _vectors(response: httpx.Response, *, expected: int) -> list[list[float]]:
    try:
        data = response.json()["data"]
        # OpenAI's contract: one item per input with its `index`; sort rather than trust the order.
        vectors = [item["embedding"] for item in sorted(data, key=lambda item: item["index"])]
    except (ValueError, KeyError, TypeError):
        raise EmbeddingsUnavailable("The embeddings API answered something else than embeddings") from None
    if len(vectors) != expected:
        raise EmbeddingsUnavailable(
            f"The embeddings API answered {len(vectors)} vectors for {expected} inputs")
    for vector in vectors:
        if not isinstance(vector, list) or len(vector) != EMBEDDING_DIMENSIONS:
            size = len(vector) if isinstance(vector, list) else "no"
            raise EmbeddingsUnavailable(
                f"The embeddings API answered {size} dimensions; the index holds {EMBEDDING_DIMENSIONS} "
                f"(choose a {EMBEDDING_DIMENSIONS}-dimension model)")
    return vectors


def embed_query(text: str) -> list[float] | None:
    """The embedding of a search query, or None (not configured, or failing: search then stays full-text)."""
    if not embeddings_configured():
        return None
    key = "knowledge:query-embedding:" + hashlib.sha256(f"{model_name()}\0{text}".encode()).hexdigest()
    vector = cache.get(key)
    if vector is not None:
        return vector
    try:
        (vector,) = embed_texts([text], timeout=min(QUERY_TIMEOUT, settings.KNOWLEDGE_EMBEDDINGS_TIMEOUT))
    except EmbeddingsError as exc:
        logger.warning("Query embedding failed, searching full-text only: %s", exc)
        return None
    cache.set(key, vector, timeout=QUERY_CACHE_SECONDS)
    return vector
