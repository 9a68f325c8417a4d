"""A loopback OpenAI-compatible embeddings API for the tests: deterministic vectors, so rankings are known.

A text's vector counts its words per concept: each concept is one axis (words of a concept share it), plus a
small constant on the last axis so no vector is zero. "machine learning" and "artificial intelligence" are
the same concept, so a query about one finds documents about the other with no word in common.
"""

from __future__ import annotations

import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIMENSIONS = 1536
CONCEPTS = [
    {"ai", "artificial", "intelligence", "machine", "learning", "neural", "model", "models"},
    {"database", "databases", "postgresql", "sql", "query", "queries", "index"},
    {"test", "tests", "testing", "pytest", "jest", "assert"},
    {"web", "browser", "frontend", "react", "html", "css"},
    {"deploy", "deployment", "docker", "kubernetes", "container", "containers"},
]


def vector_of(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        for axis, words in enumerate(CONCEPTS):
            if word in words:
                vector[axis] += 1.0
    vector[-1] = 0.1
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector]


class EmbeddingsServer:
    """`POST /v1/embeddings`. `fail_status` answers every request with that status; an input containing
    `REJECT` makes its request a 400 (the way a real API refuses an over-long input)."""

    def __init__(self):
        self.requests: list[dict] = []  # {"model", "input", "authorization"}
        self.fail_status: int | None = None
        self.dimensions = DIMENSIONS
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {
                        "model": body["model"],
                        "input": body["input"],
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                if self.path != "/v1/embeddings":
                    return self.answer(404, {"error": {"message": "not found"}})
                if server.fail_status:
                    return self.answer(
                        server.fail_status, {"error": {"message": "Incorrect API key sk-te***ey"}}
                    )
                if any("REJECT" in text for text in body["input"]):
                    return self.answer(400, {"error": {"message": "input too long"}})
                data = [
                    {"object": "embedding", "index": index, "embedding": vector_of(text)[: server.dimensions]}
                    for index, text in enumerate(body["input"])
                ]
                data.reverse()  # the index, not the order, says which input a vector belongs to
                return self.answer(200, {"object": "list", "data": data, "model": body["model"]})

            def answer(self, status, payload):
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def inputs(self) -> list[str]:
        return [text for request in self.requests for text in request["input"]]
