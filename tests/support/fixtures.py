"""Pytest fixtures for a real OpenCode: the model server, OpenCode as a loopback process, and its image.

Register them in a conftest (`from tests.support.fixtures import *`) or import the ones a module uses.

- `model_server` (session): the tests' OpenAI-compatible model server (tests.support.model_server).
- `model` (function): that server reset for the test (no recorded requests, no hold, the default reply)
  and reset again afterwards.
- `opencode_binary` (session): the pinned `opencode` binary (`scripts/opencode.sh install`, npm).
- `opencode` (session): one `opencode serve` process answering from `model_server`, shared by the
  tests that only talk to it; a test that kills or breaks OpenCode uses `opencode_factory` instead.
- `opencode_factory` (function): `opencode_factory(config=..., password=...)` starts a process of the
  test's own, stopped and removed afterwards.
- `opencode_client` (function): a `sandboxes.opencode.OpenCodeClient` on `opencode`.
- `opencode_image` (session): the image name `agentpod-test/opencode:<version>`, built and imported into
  the test engine by `scripts/opencode.sh image` (needs the `docker_engine` fixture of
  tests/sandboxes/conftest.py).

Without npm or the package (an offline machine) the tests that need OpenCode are skipped with the
reason; under CI=true they fail instead, as the engine tests do (tests/sandboxes/conftest.py).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.model_server import ModelServer
from tests.support.opencode_process import (
    SCRIPT,
    OpenCodeProcess,
    OpenCodeUnavailableForTests,
    install_opencode,
)


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"OpenCode required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"No OpenCode: {reason}")


@pytest.fixture(scope="session")
def model_server():
    with ModelServer() as server:
        yield server


@pytest.fixture
def model(model_server):
    model_server.reset()
    yield model_server
    model_server.reset()


@pytest.fixture(scope="session")
def opencode_binary() -> str:
    try:
        return install_opencode()
    except OpenCodeUnavailableForTests as exc:
        _unavailable(str(exc))


def _start(process: OpenCodeProcess) -> OpenCodeProcess:
    try:
        return process.start()
    except RuntimeError as exc:
        process.cleanup()
        # The binary is there, so a server that does not start is a real failure, never a skip.
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def opencode(opencode_binary, model_server):
    process = _start(OpenCodeProcess(opencode_binary, config=model_server.opencode_config()))
    yield process
    process.cleanup()


@pytest.fixture
def opencode_factory(opencode_binary, model_server):
    made: list[OpenCodeProcess] = []

    def make(*, config: dict | None = None, **options) -> OpenCodeProcess:
        process = OpenCodeProcess(opencode_binary, config=config or model_server.opencode_config(), **options)
        made.append(process)
        return _start(process)

    yield make
    for process in made:
        process.cleanup()


@pytest.fixture
def opencode_client(opencode):
    from sandboxes.opencode import OpenCodeClient

    with OpenCodeClient(opencode.endpoint) as client:
        yield client


@pytest.fixture(scope="session")
def opencode_image(docker_engine, opencode_binary) -> str:
    env = {**os.environ, "DOCKER_HOST": docker_engine.host}
    try:
        run = subprocess.run(["bash", str(SCRIPT), "image"], capture_output=True, text=True, timeout=900,
                             env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"scripts/opencode.sh image did not finish: {exc}", pytrace=False)
    lines = run.stdout.strip().splitlines()
    # The engine answers and the binary is installed, so a failed build is a real failure, not a skip.
    if run.returncode != 0 or not lines:
        pytest.fail(f"scripts/opencode.sh image failed ({run.returncode}): {run.stderr.strip()[-800:]}",
                    pytrace=False)
    return lines[-1]
