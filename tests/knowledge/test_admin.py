"""The admin is the knowledge base's editor: an edit of the text makes the embedding stale (pending)."""

import pytest

from knowledge.models import KnowledgeDocument
from knowledge.services import knowledge_embed
from tests.factories import KnowledgeDocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form(document: KnowledgeDocument, **changes) -> dict:
    data = {"category": document.category, "title": document.title, "description": document.description or "",
            "content": document.content, "tags": '["docker"]', "applicable_to": "null", "metadata": "{}",
            "embedding_status": document.embedding_status, "version": document.version}
    return {**data, **changes}


def test_editing_the_text_marks_the_embedding_pending_and_a_rerun_embeds_it(admin_client, embeddings_api):
    document = KnowledgeDocumentFactory(id="doc", title="Docker", tags=["docker"], content="Build images.")
    knowledge_embed()
    document.refresh_from_db()
    url = "/admin/knowledge/knowledgedocument/doc/change/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, form(document, title="Docker, again"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.embedding_status) == ("Docker, again", "pending")
    assert knowledge_embed().embedded == ["doc"]

    document.refresh_from_db()
    admin_client.post(url, form(document, version=document.version + 1))  # nothing the vector depends on
    document.refresh_from_db()
    assert document.embedding_status == "completed"


def test_a_new_document_can_be_written_in_the_admin(admin_client):
    response = admin_client.post("/admin/knowledge/knowledgedocument/add/", {
        "category": "workflow_pattern", "title": "Pair with the agent", "description": "",
        "content": "Steps.", "tags": "[]", "applicable_to": "null", "metadata": "{}",
        "embedding_status": "pending", "version": 1})
    assert response.status_code == 302
    assert KnowledgeDocument.objects.get(title="Pair with the agent").category == "workflow_pattern"
