"""Knowledge fixtures: the loopback embeddings API (the ASGI server is the suite's, tests/conftest.py)."""

import pytest

from .embeddings_server import EmbeddingsServer

EMBEDDINGS_KEY = "sk-test-embeddings-key-0123456789"


@pytest.fixture
def embeddings_api(settings):
    """The loopback embeddings API, configured as the project's (settings.KNOWLEDGE_EMBEDDINGS_*)."""
    with EmbeddingsServer() as server:
        settings.KNOWLEDGE_EMBEDDINGS_URL = server.url
        settings.KNOWLEDGE_EMBEDDINGS_MODEL = "test-embedding-model"
        settings.KNOWLEDGE_EMBEDDINGS_API_KEY = EMBEDDINGS_KEY
        yield server
