"""Knowledge fixtures: the loopback embeddings API, and the project's ASGI app served by uvicorn."""

import threading
import time

import pytest
import uvicorn
from django.db import connection

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


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """config.asgi.application under uvicorn on 127.0.0.1 (a thread of this process): its base URL.

    Its requests run on their own database connections, so tests using it need committed data
    (`transactional_db`). Connections close at the end of each request (CONN_MAX_AGE 0), so none is left
    open on the test database when the session drops it.
    """
    with django_db_blocker.unblock():
        previous = connection.settings_dict["CONN_MAX_AGE"]
        connection.settings_dict["CONN_MAX_AGE"] = 0
        from config.asgi import build_application

        server = uvicorn.Server(
            uvicorn.Config(build_application(), host="127.0.0.1", port=0, lifespan="on", log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)
        connection.settings_dict["CONN_MAX_AGE"] = previous
