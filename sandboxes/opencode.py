"""The one client for OpenCode, the agent server inside every sandbox (STYLE 14, shared/spec/opencode.md).

Every call the API makes to an OpenCode server goes through here: the proxy endpoints (api-contract
2.11), chat sync and the sync worker. Where an OpenCode is comes from the orchestrator as an
`OpenCodeEndpoint` (its base URL and the sandbox's password, DECISIONS 24); this module never looks a
sandbox up.

    with OpenCodeClient(endpoint) as opencode:               # sync: views, services, management commands
        session = opencode.session_create(title="Hello")
        answer = opencode.session_prompt(session["id"], parts=[{"type": "text", "text": "hi"}])

    async with AsyncOpenCodeClient(endpoint) as opencode:    # async: the SSE proxy view, the sync worker
        async for event in opencode.events():
            ...

The method names follow OpenCode's operation ids (`session.prompt` → `session_prompt`); bodies are
OpenCode's JSON, returned as parsed, because the proxy passes them through (api-contract 2.11).

Failures become the API's error classes in one place (`_raise_for_response`, `_unreachable`), so
every caller renders them alike (DECISIONS 28):

- OpenCode unreachable, refusing the connection, cut off mid-answer or too slow → `OpenCodeUnavailable`
  (a `ServiceUnavailable`, 503);
- OpenCode answering 404 → `OpenCodeNotFound` (a `NotFound`, 404, naming what was missing);
- anything else (a 5xx, a 400, a 401 for a wrong password, a body that is not JSON) →
  `OpenCodeError` (502 `{"error": "OpenCode error"}`).

OpenCode's status and text go to this module's logger, never into an error body. A 401 is deliberately
not passed on as 401: the caller authenticated fine with us; it is our password for that sandbox that
OpenCode refused (a gateway fault to fix on the server), and a 401 would tell the desktop app its own
session had expired.

Timeouts, in seconds, from Django settings with these defaults (the lead may move them into
sandboxes/conf.py):

- `SANDBOX_OPENCODE_CONNECT_TIMEOUT` (3): opening a connection;
- `SANDBOX_OPENCODE_TIMEOUT` (30): every ordinary call;
- `SANDBOX_OPENCODE_HEALTH_TIMEOUT` (2): the health probe, short because a server still starting
  accepts connections and may not answer them at all;
- `SANDBOX_OPENCODE_PROMPT_TIMEOUT` (600): `session_prompt`, which blocks until the model has answered
  (tool calls included);
- `SANDBOX_OPENCODE_EVENT_READ_TIMEOUT` (30): the longest silence on `/event` before the stream counts as
  dead; OpenCode sends a `server.heartbeat` event every 10 s (measured on 1.18.33).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import ssl
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Literal

import httpx
from django.conf import settings
from httpx_sse import ServerSentEvent, SSEError, aconnect_sse
from rest_framework import status

from core.api.errors import ApiError, InvalidRequest, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

Json = dict[str, Any]
PermissionResponse = Literal["once", "always", "reject"]
PERMISSION_RESPONSES = ("once", "always", "reject")
USERNAME = "opencode"
# How much of an upstream body is logged: enough to diagnose, not a whole file listing.
LOGGED_BODY_CHARS = 2000

_TIMEOUT_DEFAULTS = {
    "SANDBOX_OPENCODE_CONNECT_TIMEOUT": 3.0,
    "SANDBOX_OPENCODE_TIMEOUT": 30.0,
    "SANDBOX_OPENCODE_HEALTH_TIMEOUT": 2.0,
    "SANDBOX_OPENCODE_PROMPT_TIMEOUT": 600.0,
    "SANDBOX_OPENCODE_EVENT_READ_TIMEOUT": 30.0,
}


def _setting(name: str) -> float:
    # Read at call time, so tests can change a timeout with pytest-django's `settings`.
    return float(getattr(settings, name, _TIMEOUT_DEFAULTS[name]))


# -- errors ----------------------------------------------------------------------------------------------


class BadGateway(ApiError):
    """An outside service the API depends on answered wrongly (502). Core has none yet; it may move there."""

    status_code = status.HTTP_502_BAD_GATEWAY
    message = "Bad gateway"


class OpenCodeError(BadGateway):
    """OpenCode answered, but not with what was asked for (502 `{"error": "OpenCode error"}`)."""

    message = "OpenCode error"

    def __init__(self, message: str | None = None, *, upstream_status: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.upstream_status = upstream_status


class OpenCodeUnavailable(ServiceUnavailable):
    """OpenCode could not be reached, or stopped answering (503)."""

    message = "OpenCode is unreachable"


class OpenCodeNotFound(NotFound):
    """OpenCode has no such session, message or permission request (404)."""


# -- where an OpenCode is --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCodeEndpoint:
    """Where one sandbox's OpenCode answers, and the password it demands (HTTP Basic, user `opencode`).

    `password` empty: send no credentials (an OpenCode started without OPENCODE_SERVER_PASSWORD).
    """

    base_url: str
    password: str = field(default="", repr=False)  # never in a repr, a log line or a traceback
    username: str = USERNAME


@dataclass(frozen=True)
class OpenCodeEvent:
    """One event of OpenCode's `/event` stream: `{id?, type, properties}`."""

    type: str
    properties: Json
    id: str | None = None

    def as_dict(self) -> Json:
        """The whole event as OpenCode sent it (what the SSE proxy relays as `data:`)."""
        event: Json = {"type": self.type, "properties": self.properties}
        if self.id is not None:
            event = {"id": self.id, **event}
        return event


# -- requests, described once for both clients ------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    params: Json | None = None
    body: Any = None
    timeout: str = "SANDBOX_OPENCODE_TIMEOUT"
    not_found: str = "Not found"
    empty_ok: bool = False  # a 204 (prompt_async) answers None

    def json(self) -> Any:
        return self.body if self.method in ("POST", "PUT", "PATCH") else None


# OpenCode's ids are `ses_...`, `msg_...`, `per_...`; provider ids are names like `amazon-bedrock`.
_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,200}")


def _segment(value: str, what: str) -> str:
    """One path segment, so an id can never reach another endpoint (`../config`).

    Anything that cannot be an OpenCode id is answered as missing without asking OpenCode, which would
    answer a percent-encoded slash with a 500.
    """
    if not isinstance(value, str) or not _SEGMENT.fullmatch(value) or value in (".", ".."):
        raise OpenCodeNotFound(f"{what} not found")
    return value


def _session(session_id: str) -> str:
    return f"/session/{_segment(session_id, 'Session')}"


def _prompt_body(parts: list[Json], model: Json | None, agent: str | None) -> Json:
    body: Json = {"parts": parts}
    if model is not None:
        body["model"] = model
    if agent is not None:
        body["agent"] = agent
    return body


def _drop_none(values: Json) -> Json:
    return {key: value for key, value in values.items() if value is not None}


class _Calls:
    """The requests of every endpoint the API uses (opencode.md's table), shared by both clients."""

    @staticmethod
    def health() -> _Call:
        return _Call("GET", "/global/health", timeout="SANDBOX_OPENCODE_HEALTH_TIMEOUT")

    @staticmethod
    def session_list() -> _Call:
        return _Call("GET", "/session")

    @staticmethod
    def session_create(title: str | None) -> _Call:
        return _Call("POST", "/session", body=_drop_none({"title": title}))

    @staticmethod
    def session_get(session_id: str) -> _Call:
        return _Call("GET", _session(session_id), not_found="Session not found")

    @staticmethod
    def session_delete(session_id: str) -> _Call:
        return _Call("DELETE", _session(session_id), not_found="Session not found")

    @staticmethod
    def session_update(session_id: str, title: str | None, metadata: Json | None) -> _Call:
        return _Call("PATCH", _session(session_id), body=_drop_none({"title": title, "metadata": metadata}),
                     not_found="Session not found")

    @staticmethod
    def session_messages(session_id: str, limit: int | None) -> _Call:
        return _Call("GET", f"{_session(session_id)}/message", params=_drop_none({"limit": limit}),
                     not_found="Session not found")

    @staticmethod
    def session_prompt(session_id: str, parts: list[Json], model: Json | None, agent: str | None) -> _Call:
        return _Call("POST", f"{_session(session_id)}/message", body=_prompt_body(parts, model, agent),
                     timeout="SANDBOX_OPENCODE_PROMPT_TIMEOUT", not_found="Session not found")

    @staticmethod
    def session_message(session_id: str, message_id: str) -> _Call:
        return _Call("GET", f"{_session(session_id)}/message/{_segment(message_id, 'Message')}",
                     not_found="Message not found")

    @staticmethod
    def session_prompt_async(session_id: str, parts: list[Json], model: Json | None,
                             agent: str | None) -> _Call:
        return _Call("POST", f"{_session(session_id)}/prompt_async", body=_prompt_body(parts, model, agent),
                     not_found="Session not found", empty_ok=True)

    @staticmethod
    def session_abort(session_id: str) -> _Call:
        return _Call("POST", f"{_session(session_id)}/abort", not_found="Session not found")

    @staticmethod
    def permission_respond(session_id: str, permission_id: str, response: str) -> _Call:
        # The proxy validates first (DECISIONS 28); this guard keeps any other caller from turning a
        # typo into a 502.
        if response not in PERMISSION_RESPONSES:
            raise InvalidRequest("Invalid response. Must be 'once', 'always', or 'reject'")
        return _Call("POST", f"{_session(session_id)}/permissions/{_segment(permission_id, 'Permission')}",
                     body={"response": response}, not_found="Permission not found")

    @staticmethod
    def file_list(path: str) -> _Call:
        return _Call("GET", "/file", params={"path": path}, not_found="File not found")

    @staticmethod
    def file_read(path: str) -> _Call:
        return _Call("GET", "/file/content", params={"path": path}, not_found="File not found")

    @staticmethod
    def find_files(query: str, limit: int | None) -> _Call:
        return _Call("GET", "/find/file", params=_drop_none({"query": query, "limit": limit}))

    @staticmethod
    def config_get() -> _Call:
        return _Call("GET", "/config")

    @staticmethod
    def project_current() -> _Call:
        return _Call("GET", "/project/current")

    @staticmethod
    def config_providers() -> _Call:
        return _Call("GET", "/config/providers")

    @staticmethod
    def agents() -> _Call:
        return _Call("GET", "/agent")

    @staticmethod
    def auth_set(provider_id: str, credential: Json) -> _Call:
        return _Call("PUT", f"/auth/{_segment(provider_id, 'Provider')}", body=credential,
                     not_found="Provider not found")

    @staticmethod
    def mcp_status() -> _Call:
        return _Call("GET", "/mcp")

    @staticmethod
    def mcp_add(name: str, config: Json) -> _Call:
        return _Call("POST", "/mcp", body={"name": name, "config": config})

    @staticmethod
    def instance_dispose() -> _Call:
        return _Call("POST", "/instance/dispose")


# -- the one place OpenCode's failures are translated -------------------------------------------------------


def _unreachable(path: str, endpoint: OpenCodeEndpoint, exc: Exception) -> OpenCodeUnavailable:
    logger.warning("OpenCode at %s unreachable on %s: %s: %s", endpoint.base_url, path, type(exc).__name__,
                   exc)
    return OpenCodeUnavailable()


def _upstream_error(endpoint: OpenCodeEndpoint, method: str, path: str, response: httpx.Response,
                    text: str, problem: str) -> OpenCodeError:
    level = logging.ERROR if response.status_code == 401 else logging.WARNING
    logger.log(level, "OpenCode at %s: %s %s answered %s (%s): %s", endpoint.base_url, method, path,
               response.status_code, problem, text[:LOGGED_BODY_CHARS])
    return OpenCodeError(upstream_status=response.status_code)


def _raise_for_response(call: _Call, endpoint: OpenCodeEndpoint, response: httpx.Response) -> Any:
    """The parsed body of a successful answer; otherwise the matching API error, raised."""
    code = response.status_code
    if code == 404:
        logger.info("OpenCode at %s: %s %s answered 404: %s", endpoint.base_url, call.method, call.path,
                    response.text[:LOGGED_BODY_CHARS])
        raise OpenCodeNotFound(call.not_found)
    if code == 401:
        raise _upstream_error(endpoint, call.method, call.path, response, response.text,
                              "the sandbox's OpenCode password was refused")
    if not 200 <= code < 300:
        raise _upstream_error(endpoint, call.method, call.path, response, response.text, "unexpected status")
    if code == 204 or (call.empty_ok and not response.content):
        return None
    # OpenCode answers unknown paths with its web app's HTML and a 200: only JSON counts as an answer.
    if "json" not in response.headers.get("content-type", ""):
        raise _upstream_error(endpoint, call.method, call.path, response, response.text[:200],
                              f"not JSON ({response.headers.get('content-type')})")
    try:
        return response.json()
    except ValueError:
        raise _upstream_error(endpoint, call.method, call.path, response, response.text,
                              "malformed JSON") from None


def _parse_event(sse: ServerSentEvent, endpoint: OpenCodeEndpoint) -> OpenCodeEvent | None:
    """An event, or None (logged) when OpenCode sent something that is not one: never a crash."""
    if not sse.data:
        return None
    try:
        payload = json.loads(sse.data)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str) or not payload["type"]:
        logger.warning("OpenCode at %s sent a malformed event, skipped: %s", endpoint.base_url,
                       sse.data[:LOGGED_BODY_CHARS])
        return None
    properties = payload.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        logger.warning("OpenCode at %s sent an event whose properties are not an object, skipped: %s",
                       endpoint.base_url, sse.data[:LOGGED_BODY_CHARS])
        return None
    event_id = payload.get("id") or sse.id or None
    return OpenCodeEvent(type=payload["type"], properties=properties,
                         id=str(event_id) if event_id is not None else None)


# -- the clients ---------------------------------------------------------------------------------------------


def _auth(endpoint: OpenCodeEndpoint) -> httpx.BasicAuth | None:
    return httpx.BasicAuth(endpoint.username, endpoint.password) if endpoint.password else None


def _timeout(name: str) -> httpx.Timeout:
    return httpx.Timeout(_setting(name), connect=_setting("SANDBOX_OPENCODE_CONNECT_TIMEOUT"))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every pool: httpx builds one per client otherwise, loading the CA bundle each
    time (20-25 ms of CPU and 0.7 MiB, measured by bench/opencode_proxy_overhead.py under py-spy), and
    there is a pool per event loop. Built on the first pool, not at import: OpenCode speaks plain HTTP, and
    most processes that import this module (management commands, the import) never make a pool."""
    return httpx.create_ssl_context()


# Every call goes through a shared pool of keep-alive connections: the proxy makes a client per request, and
# a new connection per call cost the API and OpenCode both (measured with bench/opencode_proxy_overhead.py).
# One pool per process for the sync calls (an httpx.Client may be shared between threads) and one per event
# loop for the async ones (an AsyncClient's connections belong to the loop that opened them). OpenCode (Bun)
# closes an idle connection after 10 s; the pools let go of one after 5 s. No cookie is ever kept: the pools
# serve every user's sandbox.
_POOL_LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=64, keepalive_expiry=5.0)
_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = weakref.WeakKeyDictionary()
_SYNC_POOL: dict[int, httpx.Client] = {}  # by process id: a forked worker opens its own
_SYNC_POOL_LOCK = threading.Lock()


def _pool_options() -> Json:
    return {"verify": _tls_context(), "limits": _POOL_LIMITS, "headers": {"Accept": "application/json"},
            "cookies": CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            # OpenCode is on the container network or loopback: never through an HTTP(S)_PROXY of the host.
            "trust_env": False}


def _process_pool() -> httpx.Client:
    pool = _SYNC_POOL.get(os.getpid())
    if pool is None:
        with _SYNC_POOL_LOCK:
            pool = _SYNC_POOL.get(os.getpid()) or _SYNC_POOL.setdefault(os.getpid(), httpx.Client(**_pool_options()))
    return pool


def _loop_pool() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None or pool.is_closed:
        pool = _POOLS[loop] = httpx.AsyncClient(**_pool_options())
    return pool


class OpenCodeClient:
    """A synchronous client for one OpenCode server. Use as a context manager, or close() it.

    Its requests go through the process's shared connection pool; closing the client leaves the pool's
    connections open for the next one."""

    def __init__(self, endpoint: OpenCodeEndpoint):
        self.endpoint = endpoint
        self._base_url = endpoint.base_url.rstrip("/")
        self._auth = _auth(endpoint)

    def __enter__(self) -> OpenCodeClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: the connections belong to the process's pool."""

    def _send(self, call: _Call) -> Any:
        try:
            response = _process_pool().request(call.method, self._base_url + call.path, params=call.params,
                                               json=call.json(), auth=self._auth, timeout=_timeout(call.timeout))
        except httpx.TransportError as exc:  # connect, timeouts, a connection cut mid-answer
            raise _unreachable(call.path, self.endpoint, exc) from None
        return _raise_for_response(call, self.endpoint, response)

    def health(self) -> Json:
        """`{"healthy": true, "version": "..."}`."""
        return self._send(_Calls.health())

    def session_list(self) -> list[Json]:
        return self._send(_Calls.session_list())

    def session_create(self, *, title: str | None = None) -> Json:
        return self._send(_Calls.session_create(title))

    def session_get(self, session_id: str) -> Json:
        return self._send(_Calls.session_get(session_id))

    def session_delete(self, session_id: str) -> bool:
        return self._send(_Calls.session_delete(session_id))

    def session_update(self, session_id: str, *, title: str | None = None,
                       metadata: Json | None = None) -> Json:
        return self._send(_Calls.session_update(session_id, title, metadata))

    def session_messages(self, session_id: str, *, limit: int | None = None) -> list[Json]:
        """`[{info, parts}]`, oldest first."""
        return self._send(_Calls.session_messages(session_id, limit))

    def session_prompt(self, session_id: str, *, parts: list[Json], model: Json | None = None,
                       agent: str | None = None) -> Json:
        """Send a message and wait for the answer, `{info, parts}` (SANDBOX_OPENCODE_PROMPT_TIMEOUT)."""
        return self._send(_Calls.session_prompt(session_id, parts, model, agent))

    def session_message(self, session_id: str, message_id: str) -> Json:
        return self._send(_Calls.session_message(session_id, message_id))

    def session_prompt_async(self, session_id: str, *, parts: list[Json], model: Json | None = None,
                             agent: str | None = None) -> None:
        """Send a message and return at once; the answer arrives as events."""
        return self._send(_Calls.session_prompt_async(session_id, parts, model, agent))

    def session_abort(self, session_id: str) -> bool:
        return self._send(_Calls.session_abort(session_id))

    def permission_respond(self, session_id: str, permission_id: str, response: PermissionResponse) -> bool:
        return self._send(_Calls.permission_respond(session_id, permission_id, response))

    def file_list(self, path: str = "") -> list[Json]:
        """`[{name, path, absolute, type, ignored}]`; `path` is relative to the workspace ("" is its root)."""
        return self._send(_Calls.file_list(path))

    def file_read(self, path: str) -> Json:
        """`{type, content}`."""
        return self._send(_Calls.file_read(path))

    def find_files(self, query: str, *, limit: int | None = None) -> list[str]:
        return self._send(_Calls.find_files(query, limit))

    def config_get(self) -> Json:
        return self._send(_Calls.config_get())

    def project_current(self) -> Json:
        return self._send(_Calls.project_current())

    def config_providers(self) -> Json:
        """`{"providers": [...], "default": {...}}`."""
        return self._send(_Calls.config_providers())

    def agents(self) -> list[Json]:
        return self._send(_Calls.agents())

    def auth_set(self, provider_id: str, credential: Json) -> bool:
        """Store a provider credential (e.g. `{"type": "api", "key": ...}`) without a restart."""
        return self._send(_Calls.auth_set(provider_id, credential))

    def mcp_status(self) -> Json:
        return self._send(_Calls.mcp_status())

    def mcp_add(self, name: str, config: Json) -> Json:
        return self._send(_Calls.mcp_add(name, config))

    def instance_dispose(self) -> bool:
        """Drop the workspace's loaded state, so the next request re-reads its config (opencode.json,
        `.opencode/agent`, `.opencode/command`, AGENTS.md). Measured on 1.18.33: a SIGHUP ends the server
        instead of reloading it."""
        return self._send(_Calls.instance_dispose())


class AsyncOpenCodeClient:
    """The same calls as `OpenCodeClient`, awaitable, plus the event stream. Use with `async with`.

    Its requests go through the running loop's shared connection pool, like `OpenCodeClient`'s."""

    def __init__(self, endpoint: OpenCodeEndpoint):
        self.endpoint = endpoint
        self._base_url = endpoint.base_url.rstrip("/")
        self._auth = _auth(endpoint)

    async def __aenter__(self) -> AsyncOpenCodeClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Nothing to release: the connections belong to the loop's pool."""

    async def _send(self, call: _Call) -> Any:
        try:
            response = await _loop_pool().request(call.method, self._base_url + call.path, params=call.params,
                                                  json=call.json(), auth=self._auth,
                                                  timeout=_timeout(call.timeout))
        except httpx.TransportError as exc:
            raise _unreachable(call.path, self.endpoint, exc) from None
        return _raise_for_response(call, self.endpoint, response)

    async def health(self) -> Json:
        return await self._send(_Calls.health())

    async def session_list(self) -> list[Json]:
        return await self._send(_Calls.session_list())

    async def session_create(self, *, title: str | None = None) -> Json:
        return await self._send(_Calls.session_create(title))

    async def session_get(self, session_id: str) -> Json:
        return await self._send(_Calls.session_get(session_id))

    async def session_delete(self, session_id: str) -> bool:
        return await self._send(_Calls.session_delete(session_id))

    async def session_update(self, session_id: str, *, title: str | None = None,
                             metadata: Json | None = None) -> Json:
        return await self._send(_Calls.session_update(session_id, title, metadata))

    async def session_messages(self, session_id: str, *, limit: int | None = None) -> list[Json]:
        return await self._send(_Calls.session_messages(session_id, limit))

    async def session_prompt(self, session_id: str, *, parts: list[Json], model: Json | None = None,
                             agent: str | None = None) -> Json:
        return await self._send(_Calls.session_prompt(session_id, parts, model, agent))

    async def session_message(self, session_id: str, message_id: str) -> Json:
        return await self._send(_Calls.session_message(session_id, message_id))

    async def session_prompt_async(self, session_id: str, *, parts: list[Json], model: Json | None = None,
                                   agent: str | None = None) -> None:
        return await self._send(_Calls.session_prompt_async(session_id, parts, model, agent))

    async def session_abort(self, session_id: str) -> bool:
        return await self._send(_Calls.session_abort(session_id))

    async def permission_respond(self, session_id: str, permission_id: str,
                                 response: PermissionResponse) -> bool:
        return await self._send(_Calls.permission_respond(session_id, permission_id, response))

    async def file_list(self, path: str = "") -> list[Json]:
        return await self._send(_Calls.file_list(path))

    async def file_read(self, path: str) -> Json:
        return await self._send(_Calls.file_read(path))

    async def find_files(self, query: str, *, limit: int | None = None) -> list[str]:
        return await self._send(_Calls.find_files(query, limit))

    async def config_get(self) -> Json:
        return await self._send(_Calls.config_get())

    async def project_current(self) -> Json:
        return await self._send(_Calls.project_current())

    async def config_providers(self) -> Json:
        return await self._send(_Calls.config_providers())

    async def agents(self) -> list[Json]:
        return await self._send(_Calls.agents())

    async def auth_set(self, provider_id: str, credential: Json) -> bool:
        return await self._send(_Calls.auth_set(provider_id, credential))

    async def mcp_status(self) -> Json:
        return await self._send(_Calls.mcp_status())

    async def mcp_add(self, name: str, config: Json) -> Json:
        return await self._send(_Calls.mcp_add(name, config))

    async def events(self) -> AsyncIterator[OpenCodeEvent]:
        """OpenCode's `/event` stream, event by event, until OpenCode ends it or the caller stops.

        Leaving the loop (or `aclose()` on the iterator) closes the upstream connection. A connection
        that cannot be opened, is cut, or stays silent longer than SANDBOX_OPENCODE_EVENT_READ_TIMEOUT
        raises `OpenCodeUnavailable` (reconnect); OpenCode refusing the stream raises as any other call;
        a malformed event is logged and skipped.

        A healthy OpenCode sends `server.connected` at once, so the first event is awaited only
        SANDBOX_OPENCODE_CONNECT_TIMEOUT: an OpenCode that has just started may take a first request and
        never answer it (measured on 1.18.33), and waiting the read timeout for it would leave a new
        sandbox's stream silent for 30 s.
        """
        path = "/event"
        timeout = httpx.Timeout(_setting("SANDBOX_OPENCODE_EVENT_READ_TIMEOUT"),
                                connect=_setting("SANDBOX_OPENCODE_CONNECT_TIMEOUT"))
        try:
            async with asyncio.timeout(_setting("SANDBOX_OPENCODE_CONNECT_TIMEOUT")) as opening, \
                    aconnect_sse(_loop_pool(), "GET", self._base_url + path, timeout=timeout, auth=self._auth,
                                 headers={"Accept": "text/event-stream"}) as source:
                response = source.response
                if response.status_code != 200:
                    await response.aread()
                    _raise_for_response(_Call("GET", path, not_found="Not found"), self.endpoint, response)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    await response.aread()
                    raise _upstream_error(self.endpoint, "GET", path, response, response.text[:200],
                                          f"not an event stream ({response.headers.get('content-type')})")
                async for sse in source.aiter_sse():
                    event = _parse_event(sse, self.endpoint)
                    if event is not None:
                        opening.reschedule(None)  # the stream is open: from now on only the read timeout
                        yield event
        except (httpx.TransportError, TimeoutError) as exc:
            raise _unreachable(path, self.endpoint, exc) from None
        except SSEError as exc:  # httpx-sse's complaint about the stream itself
            logger.warning("OpenCode at %s sent a broken event stream: %s", self.endpoint.base_url, exc)
            raise OpenCodeError() from None
