"""A tiny OpenAI-compatible chat-completions server on loopback: the LLM vendor of the tests.

OpenCode is the real thing in the tests; the only stand-in is the model it talks to. This server speaks
just enough of the OpenAI chat-completions protocol for OpenCode's `@ai-sdk/openai-compatible` provider
(shared/spec/opencode.md):

- `POST /v1/chat/completions` with `"stream": true` answers a stream of `data: {chat.completion.chunk}`
  lines, then `data: [DONE]`; without it, one `chat.completion` object (OpenCode asks for a session title
  through a second request, streamed or not);
- every request body is recorded (`requests`), replies are deterministic (`reply_for`);
- `hold()` makes the next completions wait until `release()`, so a test can act (kill OpenCode, stop a
  container) while a message is in flight; `requested` tells that a held request has arrived.

    with ModelServer() as model:
        config = model.opencode_config()   # for OPENCODE_CONFIG_CONTENT
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROVIDER_ID = "fake"
MODEL_ID = "fake-model"
DEFAULT_REPLY = "Hello from the fake model."


def last_user_text(body: dict) -> str:
    """The text of the last user message of a chat-completions request ("" when there is none)."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # [{type: "text", text}, ...]
            return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def default_reply(body: dict) -> str:
    # The same answer every time, so a test can compare whole bodies.
    return DEFAULT_REPLY


class ModelServer:
    """A threaded HTTP server on 127.0.0.1 and a free port; use as a context manager or start()/stop()."""

    def __init__(self, reply_for: Callable[[dict], str] = default_reply, *, chunk_size: int = 8):
        self.reply_for = reply_for
        self._initial_reply = reply_for
        self.chunk_size = chunk_size
        self.requests: list[dict] = []
        self.requested = threading.Event()
        self._released = threading.Event()
        self._released.set()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------------------

    def start(self) -> ModelServer:
        server = self

        class Handler(_Handler):
            model = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="model-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests use -----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the model server is not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def opencode_config(self) -> dict:
        """The OpenCode config (OPENCODE_CONFIG_CONTENT) that makes this server its only model."""
        return {
            "provider": {
                PROVIDER_ID: {
                    "npm": "@ai-sdk/openai-compatible",
                    "name": "Fake",
                    "options": {"baseURL": self.base_url, "apiKey": "x"},
                    "models": {MODEL_ID: {"name": "Fake"}},
                }
            },
            "model": f"{PROVIDER_ID}/{MODEL_ID}",
            "small_model": f"{PROVIDER_ID}/{MODEL_ID}",
        }

    def completions(self) -> list[dict]:
        with self._lock:
            return [body for body in self.requests if body.get("_path", "").endswith("/chat/completions")]

    def reset(self) -> None:
        """Forget recorded requests, release any hold, restore the reply given at construction."""
        with self._lock:
            self.requests.clear()
        self.reply_for = self._initial_reply
        self.requested.clear()
        self.release()

    def hold(self) -> None:
        """Make completion requests wait (after being recorded) until release()."""
        self.requested.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    # -- used by the handler ------------------------------------------------------------------------------

    def _record(self, path: str, body: dict) -> None:
        with self._lock:
            self.requests.append({**body, "_path": path})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # OpenCode killed or stopped mid-answer (what failure tests do) is expected: no traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    model: ModelServer
    # HTTP/1.0: a streamed answer ends when the connection closes, so no chunked encoding is needed.
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # keep test output quiet

    def do_GET(self):  # noqa: N802
        if self.path.rstrip("/").endswith("/models"):
            models = [{"id": MODEL_ID, "object": "model", "owned_by": "fake"}]
            self._json(200, {"object": "list", "data": models})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._json(400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
            return
        self.model._record(self.path, body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        self.model.requested.set()
        self.model._released.wait(timeout=120)
        text = self.model.reply_for(body)
        if body.get("stream"):
            self._stream(text, body)
        else:
            self._json(200, _completion(text, body))

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, text: str, body: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        ident, created = f"chatcmpl-{time.monotonic_ns()}", int(time.time())

        def chunk(delta: dict, finish: str | None = None, **extra) -> None:
            payload = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
            self.wfile.flush()

        chunk({"role": "assistant", "content": ""})
        size = self.model.chunk_size
        for start in range(0, len(text), size):
            chunk({"content": text[start:start + size]})
        chunk({}, "stop")
        usage = _usage(text, body)
        self.wfile.write(b"data: " + json.dumps({"id": ident, "object": "chat.completion.chunk",
                                                   "created": created, "model": MODEL_ID, "choices": [],
                                                   "usage": usage}).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _usage(text: str, body: dict) -> dict:
    # Deterministic token counts (words), so token totals can be asserted.
    prompt = sum(len(json.dumps(message).split()) for message in body.get("messages") or [])
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(text: str, body: dict) -> dict:
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(text, body),
    }
