"""Writes to the knowledge base: computing embeddings (`embed_knowledge`) and loading the starter documents.

Which documents need an embedding: a document's embedding is computed from its "embedding text" (title,
description, tags, content) with one model. `embedded_hash` stores the SHA-256 of model and text that the
stored vector came from. A re-run embeds only documents whose hash differs (the text or the model
changed) or whose status is not `completed` (never embedded, failed, or interrupted while processing).
A hash rather than `updated_at`: it ignores saves that change nothing the vector depends on, sees rows
changed by plain SQL that left `updated_at` alone, and re-embeds everything when the model changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from . import embeddings
from .embeddings import EmbeddingsError, EmbeddingsUnavailable
from .models import EmbeddingStatus, KnowledgeDocument
from .starter import STARTER_DOCUMENTS

logger = logging.getLogger(__name__)

# About 8,000 tokens of English, the input limit of OpenAI's embedding models; the rest is cut.
MAX_EMBEDDING_CHARS = 24_000
DEFAULT_BATCH_SIZE = 32


def embedding_text(document: KnowledgeDocument) -> str:
    tags = document.tags if isinstance(document.tags, list) else []
    parts = [document.title, document.description or "", f"Tags: {', '.join(map(str, tags))}" if tags else "",
             document.content]
    return "\n\n".join(part for part in parts if part)[:MAX_EMBEDDING_CHARS]


def embedding_hash(document: KnowledgeDocument, *, model: str) -> str:
    return hashlib.sha256(f"{model}\0{embedding_text(document)}".encode()).hexdigest()


def document_embedding_refresh(*, document: KnowledgeDocument) -> None:
    """Before saving an edited document: an embedding of other text is stale, so the status says pending."""
    if document.embedding_status == EmbeddingStatus.COMPLETED and (
            document.embedded_hash != embedding_hash(document, model=embeddings.model_name())):
        document.embedding_status = EmbeddingStatus.PENDING


@dataclass
class EmbedReport:
    embedded: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # document id -> reason
    aborted: str | None = None  # why the run stopped early (the service is unusable)
    remaining: int = 0  # documents left for the next run after an abort


def knowledge_embed(*, batch_size: int = DEFAULT_BATCH_SIZE, force: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> EmbedReport:
    """Embed every document that needs it, `batch_size` texts per request. Raises `EmbeddingsUnavailable`
    when no embeddings API is configured; any other failure is in the report, per document."""
    if not embeddings.embeddings_configured():
        raise EmbeddingsUnavailable("No embeddings API is configured: set KNOWLEDGE_EMBEDDINGS_URL "
                                    "(and KNOWLEDGE_EMBEDDINGS_MODEL, KNOWLEDGE_EMBEDDINGS_API_KEY)")
    model = embeddings.model_name()
    report = EmbedReport()
    todo: list[tuple[str, str, str]] = []  # (id, text, hash)
    documents = KnowledgeDocument.objects.only(
        "id", "title", "description", "tags", "content", "embedded_hash", "embedding_status").order_by("id")
    for document in documents.iterator(chunk_size=500):
        digest = embedding_hash(document, model=model)
        completed = document.embedding_status == EmbeddingStatus.COMPLETED
        up_to_date = completed and document.embedded_hash == digest
        if up_to_date and not force:
            report.unchanged += 1
        else:
            todo.append((document.pk, embedding_text(document), digest))
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        try:
            _embed_batch(batch, report)
        except EmbeddingsUnavailable as exc:
            _mark([doc_id for doc_id, _, _ in batch if doc_id not in report.embedded], EmbeddingStatus.FAILED)
            report.failed.update({doc_id: str(exc) for doc_id, _, _ in batch
                                  if doc_id not in report.embedded and doc_id not in report.failed})
            report.aborted = str(exc)
            report.remaining = len(todo) - start - len(batch)
            logger.warning("embed_knowledge stopped: %s (%d documents left)", exc, report.remaining)
            break
        if progress:
            progress(min(start + batch_size, len(todo)), len(todo))
    return report


def _embed_batch(batch: list[tuple[str, str, str]], report: EmbedReport) -> None:
    _mark([doc_id for doc_id, _, _ in batch], EmbeddingStatus.PROCESSING)
    try:
        vectors = embeddings.embed_texts([text for _, text, _ in batch])
    except EmbeddingsUnavailable:
        raise
    except EmbeddingsError:
        # The service refused the input: one request per document finds which ones.
        for item in batch:
            try:
                (vector,) = embeddings.embed_texts([item[1]])
            except EmbeddingsUnavailable:
                raise
            except EmbeddingsError as exc:
                _mark([item[0]], EmbeddingStatus.FAILED)
                report.failed[item[0]] = str(exc)
                logger.warning("Embedding of knowledge document %s failed: %s", item[0], exc)
            else:
                _store(item, vector, report)
        return
    for item, vector in zip(batch, vectors, strict=True):
        _store(item, vector, report)


def _store(item: tuple[str, str, str], vector: list[float], report: EmbedReport) -> None:
    doc_id, _, digest = item
    # `update()`, not `save()`: an embedding is not an edit, so `updated_at` (the list's order) stays.
    KnowledgeDocument.objects.filter(pk=doc_id).update(embedding=vector, embedded_hash=digest,
                                                       embedding_status=EmbeddingStatus.COMPLETED)
    report.embedded.append(doc_id)


def _mark(ids: list[str], status: str) -> None:
    if ids:
        KnowledgeDocument.objects.filter(pk__in=ids).update(embedding_status=status)


# -- the starter knowledge base ------------------------------------------------------------------------------

@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


SEEDED_FIELDS = ("category", "title", "description", "content", "tags", "applicable_to", "metadata")


@transaction.atomic
def knowledge_seed(*, reset: bool = False) -> SeedReport:
    """Load the starter documents (knowledge/starter.py) by their fixed ids. Idempotent: an existing document
    is left as it is (an operator may have edited it in the admin) unless `reset` restores the starter
    text."""
    report = SeedReport()
    existing = KnowledgeDocument.objects.in_bulk([doc["id"] for doc in STARTER_DOCUMENTS])
    for starter in STARTER_DOCUMENTS:
        values = {name: starter.get(name) for name in SEEDED_FIELDS}
        values["tags"] = values["tags"] or []
        values["metadata"] = {**(values["metadata"] or {}), "source": "agentpod-starter"}
        document = existing.get(starter["id"])
        if document is None:
            KnowledgeDocument.objects.create(id=starter["id"], **values)
            report.created.append(starter["id"])
        elif reset and any(getattr(document, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(document, name, value)
            document.version = (document.version or 1) + 1
            document_embedding_refresh(document=document)
            document.save()
            report.updated.append(starter["id"])
        else:
            report.unchanged.append(starter["id"])
    return report
