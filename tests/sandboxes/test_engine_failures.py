"""Engine failures become domain exceptions quickly, with fixed messages and no engine text for clients.

The engines here are real sockets: a path with nothing behind it, a refused TCP port on loopback, a
socket that accepts and never answers, a proxy to the real dockerd that is cut mid-call, and a tiny
engine that answers 500 (tests/sandboxes/engines.py).
"""

from __future__ import annotations

import logging
import threading
import time

import docker
import pytest

from sandboxes.docker_backend import DockerOrchestrator
from sandboxes.orchestrator import EngineError, EngineUnavailable, get_orchestrator
from sandboxes.services import sandboxes_push_config, sandboxes_push_config_soon
from sandboxes.specs import container_name, container_ref, container_spec
from tests.factories import ProviderCredentialFactory, SandboxFactory, UserOpencodeConfigFactory

from .engines import EngineProxy, FailingEngine, HungEngine
from .fakes import FakeOrchestrator

pytestmark = pytest.mark.django_db

API_KEY = "sk-ant-test-fedcba9876543210"

OPERATIONS = {
    "create": lambda backend, sandbox: backend.create(container_spec(sandbox)),
    "start": lambda backend, sandbox: backend.start(container_ref(sandbox)),
    "stop": lambda backend, sandbox: backend.stop(container_ref(sandbox)),
    "restart": lambda backend, sandbox: backend.restart(container_ref(sandbox)),
    "pause": lambda backend, sandbox: backend.pause(container_ref(sandbox)),
    "unpause": lambda backend, sandbox: backend.unpause(container_ref(sandbox)),
    "remove": lambda backend, sandbox: backend.remove(container_ref(sandbox)),
    "inspect": lambda backend, sandbox: backend.inspect(container_ref(sandbox)),
    "logs": lambda backend, sandbox: backend.logs(container_ref(sandbox)),
    "stats": lambda backend, sandbox: backend.stats(container_ref(sandbox)),
    "exec": lambda backend, sandbox: backend.exec(container_ref(sandbox), ["true"]),
    "engine_info": lambda backend, sandbox: backend.engine_info(),
}


@pytest.fixture
def offline(settings):
    settings.SANDBOX_ORCHESTRATOR = "sandboxes.docker_backend.DockerOrchestrator"
    settings.SANDBOX_NETWORK_MODE = "none"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.5
    settings.SANDBOX_DOCKER_API_VERSION = "auto"
    return settings


@pytest.fixture
def sandbox(user):
    ProviderCredentialFactory(user=user, provider_id="anthropic", api_key=API_KEY)
    return SandboxFactory(user=user, flavor_id="js", resource_tier_id="starter", addon_ids=[],
                          container_id="0123456789ab", status="running")


def assert_unavailable_quickly(call, limit: float):
    started = time.monotonic()
    with pytest.raises(EngineUnavailable) as caught:
        call()
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"took {elapsed:.2f} s"
    assert caught.value.status_code == 503
    assert caught.value.body() == {"error": "Container engine unavailable"}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_missing_engine_socket_is_unavailable_at_once(offline, sandbox, operation):
    offline.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod/docker.sock"
    assert_unavailable_quickly(lambda: OPERATIONS[operation](DockerOrchestrator(), sandbox), limit=0.5)


def test_a_refused_tcp_engine_is_unavailable_at_once(offline, sandbox):
    offline.SANDBOX_DOCKER_HOST = "tcp://127.0.0.1:1"
    assert_unavailable_quickly(lambda: DockerOrchestrator().start(sandbox), limit=0.5)


@pytest.mark.parametrize("version", ["auto", "1.41"])
def test_a_hung_engine_is_unavailable_after_the_connect_timeout(offline, sandbox, version):
    offline.SANDBOX_DOCKER_API_VERSION = version
    hung = HungEngine()
    offline.SANDBOX_DOCKER_HOST = hung.host
    try:
        assert_unavailable_quickly(lambda: DockerOrchestrator().start(sandbox), limit=2)
    finally:
        hung.close()


def test_status_is_unknown_when_the_engine_is_down(offline, sandbox):
    offline.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod/docker.sock"
    assert DockerOrchestrator().status(sandbox) == "unknown"


def test_an_engine_that_goes_away_mid_call_is_unavailable(engine, backend, user, settings):
    sandbox = SandboxFactory(user=user, flavor_id="js", resource_tier_id="starter", addon_ids=[])
    backend.create(container_spec(sandbox))
    backend.start(container_ref(sandbox))
    proxy = EngineProxy(engine.host)
    settings.SANDBOX_DOCKER_HOST = proxy.host
    assert backend.inspect(container_ref(sandbox)).status == "running"  # through the proxy

    # dockerd takes about 1 s to answer stats(stream=False): the engine vanishes while it works
    threading.Timer(0.3, proxy.cut).start()
    assert_unavailable_quickly(lambda: backend.stats(container_ref(sandbox)), limit=2)
    # and the next call finds no engine at all
    assert_unavailable_quickly(lambda: backend.start(container_ref(sandbox)), limit=0.5)


def test_an_engine_error_gives_a_fixed_message_and_the_engine_text_only_in_the_log(offline, sandbox, caplog):
    failing = FailingEngine()
    offline.SANDBOX_DOCKER_HOST = failing.host
    caplog.set_level(logging.WARNING)
    try:
        with pytest.raises(EngineError) as caught:
            DockerOrchestrator().start(sandbox)
        assert type(caught.value) is EngineError
        assert (caught.value.status_code, caught.value.body()) == (500, {"error": "Container engine error"})
        assert "/var/lib/docker" not in str(caught.value)
        assert "internal failure at /var/lib/docker" in caplog.text  # operators still see it

        # The engine echoes the create request, decrypted credentials included: the log is scrubbed.
        caplog.clear()
        with pytest.raises(EngineError):
            DockerOrchestrator().create(container_spec(sandbox))
        assert any(request.startswith("POST") and "containers/create" in request
                   for request in failing.requests)
        assert "internal failure" in caplog.text
        assert API_KEY not in caplog.text
    finally:
        failing.close()


def test_a_config_push_never_raises_nor_waits_when_the_engine_is_down(offline, sandbox, user, caplog):
    offline.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod/docker.sock"
    UserOpencodeConfigFactory(user=user)
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()

    assert sandboxes_push_config(user_id=user.pk) == 0
    sandboxes_push_config_soon(user_id=user.pk)  # the receiver's entry point (inline under test settings)

    assert time.monotonic() - started < 1
    assert "Config push to sandbox" in caplog.text
    assert API_KEY not in caplog.text


def test_a_config_push_swallows_an_unexpected_backend_failure(settings, sandbox, user):
    """A backend bug (not an engine error) must not reach the caller either."""
    settings.SANDBOX_ORCHESTRATOR = "tests.sandboxes.fakes.FakeOrchestrator"
    FakeOrchestrator.reset()
    FakeOrchestrator.containers[container_name(sandbox)] = {"status": "running", "spec": None}
    FakeOrchestrator.fail["exec"] = RuntimeError("bug")
    UserOpencodeConfigFactory(user=user)

    assert isinstance(get_orchestrator(), FakeOrchestrator)
    assert sandboxes_push_config(user_id=user.pk) == 0
    sandboxes_push_config_soon(user_id=user.pk)
    assert ("exec", container_name(sandbox)) == FakeOrchestrator.calls[0][:2]


def test_a_dockerd_that_stops_leaves_every_call_unavailable_quickly(engine, settings, user):
    """A second, private dockerd: a container runs on it, then the daemon is stopped by its PID."""
    import fcntl
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    from .conftest import SCRIPT

    engine_dir = Path(tempfile.gettempdir()) / "agentpod-engine-gone"
    engine_dir.mkdir(exist_ok=True)
    env = {**os.environ, "AGENTPOD_ENGINE_DIR": str(engine_dir)}
    with open(engine_dir / "test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one run at a time uses this engine
        run = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True,
                             timeout=300, check=False)
        assert run.returncode == 0, run.stderr[-500:]
        try:
            settings.SANDBOX_DOCKER_HOST = run.stdout.strip().splitlines()[-1].split("=", 1)[1]
            leftovers = docker.APIClient(base_url=settings.SANDBOX_DOCKER_HOST, version="auto", timeout=30)
            for container in leftovers.containers(all=True):  # from an earlier run of this test
                leftovers.remove_container(container["Id"], force=True)
            leftovers.close()
            backend = DockerOrchestrator()
            sandbox = SandboxFactory(user=user, flavor_id="js", resource_tier_id="starter", addon_ids=[])
            backend.create(container_spec(sandbox))
            backend.start(container_ref(sandbox))
            assert backend.inspect(container_ref(sandbox)).status == "running"
        finally:
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120,
                           check=False)

        for operation in ("start", "stop", "inspect", "logs", "exec", "remove"):
            assert_unavailable_quickly(lambda: OPERATIONS[operation](backend, sandbox), limit=0.5)
        assert backend.status(container_ref(sandbox)) == "unknown"
