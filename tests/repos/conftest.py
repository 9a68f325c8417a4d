"""Fixtures of the repos tests: a REPOS_DIR per test, source repositories made with the git CLI, and a
loopback smart-HTTP server (Debian git's `git http-backend` behind a stdlib WSGI server, Basic auth)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

GIT = shutil.which("git")
HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
TOKEN = "ghp_testTOKEN0123456789abcdefSECRET"


@pytest.fixture(autouse=True)
def repos_dir(settings, tmp_path) -> Path:
    settings.REPOS_DIR = tmp_path / "repos"
    return settings.REPOS_DIR


def run_git(cwd: Path, *args: str) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Source", "GIT_AUTHOR_EMAIL": "source@example.com",
           "GIT_COMMITTER_NAME": "Source", "GIT_COMMITTER_EMAIL": "source@example.com"}
    return subprocess.run([GIT, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def make_source(path: Path, files: dict[str, bytes | str], *, commits: int = 1, branch: str = "main") -> Path:
    """A repository made by the git CLI: `commits` commits, the last one holding `files`."""
    path.mkdir(parents=True)
    run_git(path, "init", "-q", "-b", branch)
    for n in range(commits):
        (path / "history.txt").write_text(f"commit {n}\n")
        if n == commits - 1:
            for name, content in files.items():
                target = path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content if isinstance(content, bytes) else content.encode())
        run_git(path, "add", "-A")
        run_git(path, "commit", "-q", "-m", f"Commit {n}")
    return path


def fsck(path: Path) -> None:
    run_git(path, "fsck", "--full", "--strict")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedWSGIServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request, client_address):
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


@dataclass
class GitHttpServer:
    """Serves every repository under `root` at http://127.0.0.1:<port>/<name>; user `x-access-token`
    (any client, when `anonymous`, as a public GitHub repository)."""

    root: Path
    token: str = TOKEN
    anonymous: bool = False
    # Bytes of each fetch's response (the pack) sent before the connection is cut; None: all of it.
    cut_pack_after: int | None = None
    requests: list[str] = field(default_factory=list)
    server: WSGIServer | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{name}"

    def app(self, environ, start_response):
        self.requests.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        expected = "Basic " + base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
        if not self.anonymous and environ.get("HTTP_AUTHORIZATION") != expected:
            start_response("401 Unauthorized",
                           [("WWW-Authenticate", 'Basic realm="git"'), ("Content-Length", "0")])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        cgi_env = {"GIT_PROJECT_ROOT": str(self.root), "GIT_HTTP_EXPORT_ALL": "1", "PATH": os.environ["PATH"],
                   "PATH_INFO": environ["PATH_INFO"], "QUERY_STRING": environ.get("QUERY_STRING", ""),
                   "REQUEST_METHOD": environ["REQUEST_METHOD"],
                   "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
                   "HTTP_CONTENT_ENCODING": environ.get("HTTP_CONTENT_ENCODING", ""),
                   "REMOTE_USER": "x-access-token", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)}
        output = subprocess.run([HTTP_BACKEND], input=body, env=cgi_env, capture_output=True,
                                check=True).stdout
        head, _, payload = output.partition(b"\r\n\r\n")
        status, headers = "200 OK", []
        for line in head.decode().split("\r\n"):
            key, _, value = line.partition(": ")
            if key.lower() == "status":
                status = value
            else:
                headers.append((key, value))
        if self.cut_pack_after is not None and environ["REQUEST_METHOD"] == "POST":
            # Announce the whole pack, send the first bytes, then drop the connection.
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(payload))))
            start_response(status, headers)
            return [payload[:self.cut_pack_after]]
        start_response(status, headers)
        return [payload]


@pytest.fixture
def git_server(tmp_path):
    server = GitHttpServer(root=tmp_path / "served")
    server.root.mkdir()
    server.server = make_server("127.0.0.1", 0, server.app, server_class=ThreadedWSGIServer,
                                handler_class=QuietHandler)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung remote)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    connections = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/repo"
    stop.set()
    thread.join()
    for connection in connections:
        connection.close()
    listener.close()


@pytest.fixture
def allow_test_clones(settings):
    """Clones from the loopback server (http) and from local paths, which production refuses."""
    settings.REPOS_CLONE_SCHEMES = ("https", "http", "file")
