"""Broken engines on Unix sockets, for failures a healthy dockerd does not produce on demand.

- `HungEngine`: accepts connections and never answers (an engine that hangs).
- `EngineProxy`: forwards to the real engine until `cut()`, which drops every connection mid-answer
  and removes the socket (an engine that goes away during a call).
- `FailingEngine`: speaks just enough of the Docker API to be negotiated with (`/version`, `/_ping`),
  then answers every other call with a 500 whose message echoes the request (an engine in trouble
  that leaks details).
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path


def _socket_path(name: str) -> str:
    return str(Path(tempfile.mkdtemp(prefix="agentpod-broken-engine-")) / f"{name}.sock")


class HungEngine:
    def __init__(self):
        self.path = _socket_path("hung")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(16)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.held.append(connection)  # read nothing, answer nothing

    def close(self):
        self.server.close()
        for connection in self.held:
            connection.close()
        os.unlink(self.path)


class EngineProxy:
    def __init__(self, target_host: str):
        self.target = target_host.removeprefix("unix://")
        self.path = _socket_path("proxy")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(16)
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """The engine goes away: the socket disappears and every open connection is dropped."""
        self.server.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: dict | str):
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        request_body = self.rfile.read(length).decode(errors="replace") if length else ""
        path = self.path.split("?", 1)[0]
        if path.endswith("/version"):
            return self._reply(200, {"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.24",
                                     "Os": "linux", "Arch": "amd64"})
        if path.endswith("/_ping"):
            return self._reply(200, "OK")
        if path.endswith("/info"):
            return self._reply(200, {"NCPU": 64})
        self.server.requests.append(f"{self.command} {path}")
        message = f"internal failure at /var/lib/docker (request was: {request_body})"
        return self._reply(500, {"message": message})

    do_GET = do_POST = do_DELETE = _handle


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class FailingEngine:
    def __init__(self):
        self.path = _socket_path("failing")
        self.server = _UnixServer(self.path, _Handler)
        self.server.requests = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        os.unlink(self.path)
