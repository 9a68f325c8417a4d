"""A real container engine for the sandbox tests (shared/spec/container-engine.md).

`docker_engine` (session): uses the engine `make test` started (DOCKER_HOST answering), or starts one
with `scripts/dockerd.sh start` (dockerd with no bridge network, busybox images under every flavor
name). When no engine can start the engine tests are skipped with the reason, except under CI=true,
where they fail. An engine this fixture started is stopped at the end unless another test run still
uses it (a shared lock on the engine folder tells).

`engine` (function): points the backend at that engine with test settings (network "none", short
stop grace, a label naming the run and the test) and removes every container the test made.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

# Fixtures shared with the repos tests (a loopback git server, clones from it allowed).
from tests.repos.conftest import allow_test_clones, git_server  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "dockerd.sh"
TEST_IMAGE = "agentpod-test/busybox:latest"
SESSION_LABEL = "agentpod.test.session"
CASE_LABEL = "agentpod.test.case"


@dataclass
class Engine:
    host: str
    session: str
    client: docker.APIClient  # for assertions on the engine's own view

    def containers(self, **labels: str) -> list[dict]:
        filters = [f"{SESSION_LABEL}={self.session}", *(f"{key}={value}" for key, value in labels.items())]
        return self.client.containers(all=True, filters={"label": filters})

    def ensure_image(self, ref: str) -> None:
        """Tag the test image under `ref` (no registry is reachable here)."""
        repository, _, tag = ref.rpartition(":")
        self.client.tag(TEST_IMAGE, repository, tag or "latest")


def _answers(host: str) -> bool:
    try:
        client = docker.APIClient(base_url=host, version="auto", timeout=3)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
    finally:
        client.close()


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Container engine required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"No container engine: {reason}")


def _engine_dir() -> Path:
    import tempfile

    return Path(os.environ.get("AGENTPOD_ENGINE_DIR") or Path(tempfile.gettempdir()) / "agentpod-engine")


@pytest.fixture(autouse=True)
def repos_dir(settings, tmp_path) -> Path:
    """Every test's repositories (a sandbox's workspace among them) in a folder of its own."""
    settings.REPOS_DIR = tmp_path / "repos"
    return settings.REPOS_DIR


@pytest.fixture(scope="session")
def docker_engine(django_db_setup, django_db_blocker):
    host = os.environ.get("DOCKER_HOST", "")
    started = False
    if not (host and _answers(host)):
        # One the script started earlier (by hand or by another run) is used as it is, and left running.
        running = subprocess.run(["bash", str(SCRIPT), "env"], capture_output=True, text=True, timeout=30,
                                 check=False)
        host = running.stdout.strip().rpartition("DOCKER_HOST=")[2] if running.returncode == 0 else ""
    if not (host and _answers(host)):
        try:
            run = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=600,
                                 check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _unavailable(f"scripts/dockerd.sh start did not finish: {exc}")
        lines = run.stdout.strip().splitlines()
        if run.returncode != 0 or not lines or not lines[-1].startswith("DOCKER_HOST="):
            _unavailable(f"scripts/dockerd.sh start failed ({run.returncode}): {run.stderr.strip()[-800:]}")
        host = lines[-1].split("=", 1)[1]
        started = True
        if not _answers(host):
            _unavailable(f"the engine at {host} does not answer")

    # Every run holds a shared lock while it uses the engine; the run that started it stops it only
    # when it can take the lock exclusively (nobody else is using it).
    lock_dir = _engine_dir()
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = open(lock_dir / "users.lock", "w")  # noqa: SIM115 - held for the whole session
    fcntl.flock(lock, fcntl.LOCK_SH)

    client = docker.APIClient(base_url=host, version="auto", timeout=60)
    engine = Engine(host=host, session=uuid.uuid4().hex[:12], client=client)
    try:
        client.inspect_image(TEST_IMAGE)
    except docker.errors.NotFound:
        _unavailable(f"the engine at {host} has no {TEST_IMAGE} (run scripts/dockerd.sh start)")

    # The image of every flavor the resolver can name, with the settings the tests use.
    from django.test import override_settings

    from containers.models import ContainerFlavor
    from containers.services import image_reference

    with django_db_blocker.unblock(), override_settings(**IMAGE_SETTINGS):
        for flavor_id in ContainerFlavor.objects.values_list("id", flat=True):
            engine.ensure_image(image_reference(flavor_id=flavor_id).ref)

    yield engine

    for container in engine.containers():
        client.remove_container(container["Id"], force=True)
    client.close()
    if started and os.environ.get("AGENTPOD_ENGINE_KEEP") != "1":
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another run is using the engine: leave it running
        else:
            subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, timeout=120, check=False)
    lock.close()


IMAGE_SETTINGS = {"SANDBOX_IMAGE_REGISTRY": "", "SANDBOX_IMAGE_OWNER": "",
                  "SANDBOX_IMAGE_NAME_PREFIX": "codeopen", "SANDBOX_IMAGE_TAG": "0.4.0"}


@pytest.fixture
def engine(docker_engine, settings, request):
    """The backend on the test engine; every container the test creates is removed afterwards."""
    case = uuid.uuid4().hex[:12]
    for name, value in IMAGE_SETTINGS.items():
        setattr(settings, name, value)
    settings.SANDBOX_ORCHESTRATOR = "sandboxes.docker_backend.DockerOrchestrator"
    settings.SANDBOX_DOCKER_HOST = docker_engine.host
    settings.SANDBOX_NETWORK_MODE = "none"  # no traffic at all, to private ranges or anywhere
    settings.SANDBOX_EXTRA_LABELS = {SESSION_LABEL: docker_engine.session, CASE_LABEL: case}
    settings.SANDBOX_STOP_TIMEOUT = 2
    settings.SANDBOX_CONTAINER_COMMAND = None
    # The busybox image has only root.
    settings.SANDBOX_EXEC_USER = ""
    settings.SANDBOX_OPENCODE_CONFIG_DIR = "/root/.config/opencode"
    settings.SANDBOX_OPENCODE_AUTH_PATH = "/root/.local/share/opencode/auth.json"
    docker_engine.case = case
    yield docker_engine
    for container in docker_engine.containers(**{CASE_LABEL: case}):
        docker_engine.client.remove_container(container["Id"], force=True)


@pytest.fixture
def backend(engine):
    from sandboxes.orchestrator import get_orchestrator

    return get_orchestrator()
