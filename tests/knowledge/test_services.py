"""`embed_knowledge` (knowledge.services.knowledge_embed) on the loopback embeddings API, and the seed."""

import logging

import pytest
from django.core.management import CommandError, call_command

from knowledge.models import KnowledgeCategory, KnowledgeDocument
from knowledge.services import embedding_hash, knowledge_embed, knowledge_seed
from knowledge.starter import STARTER_DOCUMENTS
from tests.factories import KnowledgeDocumentFactory

from .conftest import EMBEDDINGS_KEY
from .embeddings_server import vector_of

pytestmark = pytest.mark.django_db


def statuses() -> dict[str, str]:
    return dict(KnowledgeDocument.objects.values_list("id", "embedding_status"))


def test_embeds_in_batches_with_the_configured_model_and_key(embeddings_api):
    for n in range(5):
        KnowledgeDocumentFactory(
            id=f"d{n}", title=f"Doc {n}", description="About testing", tags=["pytest"], content=f"Body {n}"
        )
    report = knowledge_embed(batch_size=2)
    assert (sorted(report.embedded), report.unchanged, report.failed) == ([f"d{n}" for n in range(5)], 0, {})
    assert [len(request["input"]) for request in embeddings_api.requests] == [2, 2, 1]
    assert {request["model"] for request in embeddings_api.requests} == {"test-embedding-model"}
    assert {request["authorization"] for request in embeddings_api.requests} == {f"Bearer {EMBEDDINGS_KEY}"}
    assert embeddings_api.requests[0]["input"][0] == "Doc 0\n\nAbout testing\n\nTags: pytest\n\nBody 0"
    document = KnowledgeDocument.objects.get(pk="d0")
    assert document.embedding_status == "completed"
    assert list(document.embedding) == pytest.approx(
        vector_of("Doc 0\n\nAbout testing\n\nTags: pytest\n\nBody 0")
    )
    assert document.embedded_hash == embedding_hash(document, model="test-embedding-model")


def test_a_second_run_does_nothing_and_an_edit_is_embedded_again(embeddings_api):
    KnowledgeDocumentFactory(id="a", content="first")
    KnowledgeDocumentFactory(id="b", content="second")
    knowledge_embed()
    updated_at = KnowledgeDocument.objects.get(pk="a").updated_at
    sent = len(embeddings_api.requests)

    again = knowledge_embed()
    assert (again.embedded, again.unchanged, len(embeddings_api.requests)) == ([], 2, sent)
    # An embedding is not an edit: the list's order (updated_at) is untouched.
    assert KnowledgeDocument.objects.get(pk="a").updated_at == updated_at

    document = KnowledgeDocument.objects.get(pk="b")
    document.content = "second, edited"
    document.save()
    KnowledgeDocument.objects.filter(pk="a").update(tags=["same", "text?"])  # plain SQL, updated_at unchanged
    third = knowledge_embed()
    assert (sorted(third.embedded), third.unchanged) == (["a", "b"], 0)


def test_another_model_means_every_document_again(embeddings_api, settings):
    KnowledgeDocumentFactory(id="a")
    knowledge_embed()
    settings.KNOWLEDGE_EMBEDDINGS_MODEL = "another-model"
    assert knowledge_embed().embedded == ["a"]


def test_a_refused_document_fails_alone_and_is_named(embeddings_api, caplog):
    KnowledgeDocumentFactory(id="good-1", content="fine")
    KnowledgeDocumentFactory(id="huge", content="REJECT me")
    KnowledgeDocumentFactory(id="good-2", content="also fine")
    report = knowledge_embed(batch_size=10)
    assert sorted(report.embedded) == ["good-1", "good-2"]
    assert report.failed == {"huge": "The embeddings API refused the input (HTTP 400)"}
    assert statuses() == {"good-1": "completed", "huge": "failed", "good-2": "completed"}
    # A failed document is retried by the next run (the others are not).
    KnowledgeDocument.objects.filter(pk="huge").update(content="fixed")
    assert knowledge_embed().embedded == ["huge"]


def test_an_unusable_service_stops_the_run_and_never_shows_the_key(embeddings_api, caplog, capsys):
    for n in range(4):
        KnowledgeDocumentFactory(id=f"d{n}")
    embeddings_api.fail_status = 401
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CommandError) as error:
        call_command("embed_knowledge", "--batch-size", "2")
    assert str(error.value) == (
        "Embedded 0 document(s), 0 unchanged, 2 failed. Stopped early: The embeddings API "
        "answered HTTP 401; 2 document(s) left for the next run."
    )
    assert len(embeddings_api.requests) == 1
    assert statuses() == {"d0": "failed", "d1": "failed", "d2": "pending", "d3": "pending"}
    output = capsys.readouterr()
    for text in (output.out, output.err, caplog.text, str(error.value)):
        assert EMBEDDINGS_KEY not in text and "sk-te" not in text
    assert "knowledge_documents d0: The embeddings API answered HTTP 401" in output.err


def test_unreachable_and_wrong_dimensions_are_service_failures(embeddings_api, settings):
    KnowledgeDocumentFactory(id="a")
    embeddings_api.dimensions = 768
    assert knowledge_embed().aborted == (
        "The embeddings API answered 768 dimensions; the index holds 1536 (choose a 1536-dimension model)"
    )
    settings.KNOWLEDGE_EMBEDDINGS_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    assert knowledge_embed().aborted == "The embeddings API is unreachable (ConnectError)"


def test_the_command_without_configuration_is_an_operator_error(settings):
    settings.KNOWLEDGE_EMBEDDINGS_URL = ""
    with pytest.raises(CommandError, match="No embeddings API is configured"):
        call_command("embed_knowledge")


def test_the_command_reports_what_it_did(embeddings_api, capsys):
    KnowledgeDocumentFactory(id="a")
    call_command("embed_knowledge")
    call_command("embed_knowledge")
    assert capsys.readouterr().out.splitlines() == [
        "Embedded 1 document(s), 0 unchanged, 0 failed.",
        "Embedded 0 document(s), 1 unchanged, 0 failed.",
    ]


# -- the starter knowledge base ------------------------------------------------------------------------------


def test_the_starter_base_covers_every_category_and_loads_once():
    assert {doc["category"] for doc in STARTER_DOCUMENTS} == set(KnowledgeCategory.values)
    first = knowledge_seed()
    assert (len(first.created), first.updated, first.unchanged) == (len(STARTER_DOCUMENTS), [], [])
    again = knowledge_seed()
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], len(STARTER_DOCUMENTS))
    assert KnowledgeDocument.objects.count() == len(STARTER_DOCUMENTS)
    web = KnowledgeDocument.objects.get(pk="starter-project-web-app")
    assert (web.title, web.applicable_to, web.metadata["source"]) == (
        "Web App",
        ["web_app", "frontend", "fullstack"],
        "agentpod-starter",
    )


def test_an_admin_edit_survives_a_reseed_unless_reset(capsys):
    call_command("seed_knowledge")
    KnowledgeDocument.objects.filter(pk="starter-command-test").update(title="Our test command")
    call_command("seed_knowledge")
    assert KnowledgeDocument.objects.get(pk="starter-command-test").title == "Our test command"
    call_command("seed_knowledge", "--reset")
    document = KnowledgeDocument.objects.get(pk="starter-command-test")
    assert (document.title, document.version) == ("Test Command", 2)
    assert capsys.readouterr().out.splitlines() == [
        f"Starter knowledge: {len(STARTER_DOCUMENTS)} created, 0 updated, 0 unchanged.",
        f"Starter knowledge: 0 created, 0 updated, {len(STARTER_DOCUMENTS)} unchanged.",
        f"Starter knowledge: 0 created, 1 updated, {len(STARTER_DOCUMENTS) - 1} unchanged.",
    ]
