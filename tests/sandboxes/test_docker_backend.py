"""The Docker backend on a real engine (dockerd from scripts/dockerd.sh, containers on network "none").

After each step the engine's own view (docker-py inspect) is checked: state, labels, limits.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from containers.models import ResourceTier
from containers.services import GIB
from repos.services import repository_init
from sandboxes.docker_backend import DockerOrchestrator
from sandboxes.orchestrator import (
    ContainerNotFound,
    ContainerStatus,
    EngineConflict,
    ImageUnavailable,
    get_orchestrator,
)
from sandboxes.specs import SandboxSpecInvalid, container_name, container_ref, container_spec
from sandboxes.states import sandbox_status_for
from tests.factories import (
    ContainerFlavorFactory,
    OnboardingSessionFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    UserOpencodeConfigFactory,
)

pytestmark = pytest.mark.django_db

API_KEY = "sk-ant-test-0123456789abcdef"


@pytest.fixture
def sandbox(user):
    return SandboxFactory(user=user, name="My Project", slug="my-project", repo_name="my-project-abc",
                          flavor_id="js", resource_tier_id="starter", addon_ids=["code-server"],
                          github_url="https://github.com/acme/app")


def raw(engine, sandbox) -> dict:
    return engine.client.inspect_container(container_name(sandbox))


# CHOWN, DAC_OVERRIDE, FOWNER, KILL, SETGID, SETUID: bits 0, 1, 3, 5, 6, 7 of the capability sets.
KEPT_CAPABILITIES = 0b11101011


def test_containers_are_hardened_no_new_privileges_few_capabilities_the_tiers_storage(
        engine, backend, sandbox, caplog):
    caplog.set_level(logging.WARNING, logger="sandboxes.docker_backend")
    backend.create(container_spec(sandbox))
    host = raw(engine, sandbox)["HostConfig"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert host["CapDrop"] == ["ALL"]
    assert sorted(host["CapAdd"]) == ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID"]
    assert host["Privileged"] is False
    starter_storage = ResourceTier.objects.get(pk="starter").storage_gb * GIB
    driver = engine.client.info()["Driver"]
    if host.get("StorageOpt"):
        assert host["StorageOpt"] == {"size": str(starter_storage)}
    else:  # e.g. overlay2 on ext4 (the test engine): created all the same, and the log says so
        assert f"created without its storage limit ({starter_storage} bytes)" in caplog.text, driver

    # In the running container: no process can gain privileges, and only the kept capabilities exist.
    backend.start(container_ref(sandbox))
    status = dict(line.split(":\t", 1) for line in backend.exec(
        container_ref(sandbox), ["cat", "/proc/self/status"]).stdout.splitlines() if ":\t" in line)
    assert status["NoNewPrivs"].strip() == "1"
    assert int(status["CapEff"], 16) == int(status["CapBnd"], 16) == KEPT_CAPABILITIES


def test_get_orchestrator_returns_the_docker_backend_by_default(engine):
    assert isinstance(get_orchestrator(), DockerOrchestrator)


def test_the_whole_lifecycle_on_the_engine(engine, backend, sandbox, user, caplog):
    caplog.set_level(logging.DEBUG)
    ProviderCredentialFactory(user=user, provider_id="anthropic", api_key=API_KEY)
    UserOpencodeConfigFactory(user=user, settings={"model": "anthropic/claude-sonnet-4-5"},
                              agents_md="Be kind.")
    onboarding = OnboardingSessionFactory(user=user, sandbox=sandbox)
    started = time.monotonic()

    # create: not started; name, image, labels and the starter tier's limits in the engine
    info = backend.create(container_spec(sandbox))
    attrs = raw(engine, sandbox)
    assert info.id == attrs["Id"] and info.name == f"agentpod-{sandbox.pk}"
    assert (info.status, sandbox_status_for(info.status)) == (ContainerStatus.CREATING, "stopped")
    assert attrs["State"]["Status"] == "created"
    assert attrs["Config"]["Image"] == "codeopen-js:0.4.0"
    labels = attrs["Config"]["Labels"]
    sandbox_labels = {key: value for key, value in labels.items()
                      if key.startswith("agentpod.sandbox.") and key != "agentpod.sandbox.created"}
    assert sandbox_labels == {
        "agentpod.sandbox.id": sandbox.pk, "agentpod.sandbox.name": "My Project",
        "agentpod.sandbox.slug": "my-project", "agentpod.sandbox.user": user.pk,
        "agentpod.sandbox.repo": "my-project-abc", "agentpod.sandbox.github": "https://github.com/acme/app"}
    assert labels["agentpod.managed"] == "true"
    assert labels["agentpod.sandbox.created"].endswith("Z")
    host = attrs["HostConfig"]
    assert (host["Memory"], host["MemoryReservation"], host["NanoCpus"], host["PidsLimit"]) == (
        2 * GIB, 1 * GIB, 1 * 10**9, 256)
    assert host["NetworkMode"] == "none" and host["Init"] is True
    assert host["Privileged"] is False and not host["PortBindings"]
    assert set(attrs["Config"]["ExposedPorts"]) == {"4096/tcp", "8080/tcp"}
    env = dict(item.split("=", 1) for item in attrs["Config"]["Env"])
    assert json.loads(env["OPENCODE_AUTH_JSON"]) == {"anthropic": {"type": "api", "key": API_KEY}}
    assert json.loads(env["OPENCODE_USER_CONFIG"]) == {
        "settings": {"model": "anthropic/claude-sonnet-4-5"}, "agents_md": "Be kind.", "files": []}
    assert (env["ONBOARDING_MODE"], env["ONBOARDING_SESSION_ID"]) == ("true", onboarding.pk)
    assert (env["SANDBOX_ID"], env["USER_ID"], env["CODE_SERVER_ENABLED"]) == (sandbox.pk, user.pk, "true")

    # start
    backend.start(container_ref(sandbox))
    assert raw(engine, sandbox)["State"]["Status"] == "running"
    assert sandbox_status_for(backend.inspect(container_ref(sandbox)).status) == "running"
    assert backend.status(container_ref(sandbox)) == "running"

    # exec: output, exit code, stderr, working dir and environment
    assert backend.exec(container_ref(sandbox), ["echo", "hello"]).stdout == "hello\n"
    failed = backend.exec(container_ref(sandbox), ["sh", "-c", "echo oops >&2; exit 3"])
    assert (failed.exit_code, failed.stdout, failed.stderr) == (3, "", "oops\n")
    assert backend.exec(container_ref(sandbox), ["sh", "-c", 'pwd; echo "$MY_VAR"'], working_dir="/tmp",
                        env={"MY_VAR": "test-value"}).stdout == "/tmp\ntest-value\n"

    # logs: the image's command wrote one line
    assert "Container started. Waiting..." in backend.logs(container_ref(sandbox), tail=10)
    assert backend.logs(container_ref(sandbox), tail=10, timestamps=True).split(" ", 1)[0].endswith("Z")
    assert backend.logs(container_ref(sandbox), since=timezone.now() + timedelta(minutes=1)) == ""
    assert "Container started" in backend.logs(container_ref(sandbox), since=timezone.now() - timedelta(minutes=1))

    # stats: the engine reports the tier's memory limit
    stats = backend.stats(container_ref(sandbox))
    assert stats.memory_limit == 2 * GIB and 0 < stats.memory_usage < stats.memory_limit
    assert set(stats.as_contract()) == {"cpuPercent", "memoryUsage", "memoryLimit", "memoryPercent",
                                        "networkRx", "networkTx", "blockRead", "blockWrite"}

    # stop: quick (init forwards SIGTERM), stopped
    backend.stop(container_ref(sandbox))
    assert raw(engine, sandbox)["State"]["Status"] == "exited"
    assert sandbox_status_for(backend.inspect(container_ref(sandbox)).status) == "stopped"
    backend.stop(container_ref(sandbox))  # stopping a stopped container is not an error

    # restart
    backend.restart(container_ref(sandbox), timeout=1)
    assert raw(engine, sandbox)["State"]["Status"] == "running"

    # pause / unpause: a paused sandbox reads as stopped; exec is refused while paused
    backend.pause(container_ref(sandbox))
    assert raw(engine, sandbox)["State"]["Status"] == "paused"
    paused = backend.inspect(container_ref(sandbox))
    assert (paused.status, sandbox_status_for(paused.status)) == ("paused", "stopped")
    with pytest.raises(EngineConflict):
        backend.exec(container_ref(sandbox), ["true"])
    backend.unpause(container_ref(sandbox))
    assert raw(engine, sandbox)["State"]["Status"] == "running"
    assert raw(engine, sandbox)["HostConfig"]["Memory"] == 2 * GIB  # limits survive the lifecycle

    # remove: gone from the engine; removing again is fine; other calls say the container is missing
    backend.remove(container_ref(sandbox), remove_volumes=True)
    assert engine.containers(**{"agentpod.sandbox.id": sandbox.pk}) == []
    assert backend.inspect(container_ref(sandbox)) is None
    assert backend.status(container_ref(sandbox)) == ContainerStatus.UNKNOWN
    backend.remove(container_ref(sandbox))
    with pytest.raises(ContainerNotFound):
        backend.start(container_ref(sandbox))

    assert time.monotonic() - started < 20
    # The decrypted key went to the engine, never to a log line.
    assert API_KEY not in caplog.text


def test_an_edited_tier_changes_the_memory_limit_of_the_next_container(engine, backend, user):
    first = SandboxFactory(user=user, flavor_id="js", resource_tier_id="builder", addon_ids=[])
    backend.create(container_spec(first))
    assert raw(engine, first)["HostConfig"]["Memory"] == 4 * GIB

    ResourceTier.objects.filter(pk="builder").update(memory_gb=3)
    second = SandboxFactory(user=user, flavor_id="js", resource_tier_id="builder", addon_ids=[])
    backend.create(container_spec(second))

    host = raw(engine, second)["HostConfig"]
    assert (host["Memory"], host["MemoryReservation"]) == (3 * GIB, 2 * GIB)
    assert raw(engine, first)["HostConfig"]["Memory"] == 4 * GIB  # an existing container keeps its limit


def test_a_tier_with_more_cpus_than_the_host_gets_the_host_cpus(engine, backend, user):
    host_cpus = engine.client.info()["NCPU"]
    sandbox = SandboxFactory(user=user, flavor_id="python", resource_tier_id="creator", addon_ids=[])
    backend.create(container_spec(sandbox))
    host = raw(engine, sandbox)["HostConfig"]
    assert host["NanoCpus"] == min(4, host_cpus) * 10**9
    assert (host["Memory"], host["PidsLimit"]) == (8 * GIB, 4 * 256)


def test_containers_have_no_network_but_loopback(engine, backend, sandbox):
    backend.create(container_spec(sandbox))
    backend.start(container_ref(sandbox))
    interfaces = backend.exec(container_ref(sandbox), ["cat", "/proc/net/dev"]).stdout.splitlines()[2:]
    assert [line.split(":")[0].strip() for line in interfaces] == ["lo"]


def test_opencode_url_without_a_network_is_none_and_with_host_networking_a_port_of_its_own(
        engine, backend, user, settings):
    isolated = SandboxFactory(user=user, flavor_id="js", resource_tier_id="starter", addon_ids=[])
    backend.create(container_spec(isolated))
    assert backend.opencode_url(container_ref(isolated)) is None  # created, not running
    backend.start(container_ref(isolated))
    assert backend.opencode_url(container_ref(isolated)) is None  # running, but no address to reach it at

    settings.SANDBOX_NETWORK_MODE = "host"
    first, second = (SandboxFactory(user=user, flavor_id="js", resource_tier_id="starter", addon_ids=[])
                     for _ in range(2))
    urls = []
    for sandbox in (first, second):
        backend.create(container_spec(sandbox))
        backend.start(container_ref(sandbox))
        url = backend.opencode_url(container_ref(sandbox))
        port = url.rpartition(":")[2]
        # The container was told its port: the OpenCode in it listens where the API will call.
        assert backend.exec(container_ref(sandbox), ["sh", "-c", 'echo "$OPENCODE_PORT"']).stdout.strip() == port
        urls.append(url)
    assert all(url.startswith("http://127.0.0.1:") for url in urls) and urls[0] != urls[1]


def test_a_sandbox_whose_configuration_does_not_resolve_gets_no_container(engine, backend, user):
    disabled = SandboxFactory(user=user, flavor_id="go", resource_tier_id="starter", addon_ids=[])
    with pytest.raises(SandboxSpecInvalid) as caught:
        backend.create(container_spec(disabled))
    assert caught.value.body() == {"error": "Invalid sandbox configuration",
                                   "details": "Flavor 'go' is disabled"}

    unknown_addon = SandboxFactory(user=user, flavor_id="js", addon_ids=["vnc"])
    with pytest.raises(SandboxSpecInvalid):
        backend.create(container_spec(unknown_addon))
    assert engine.containers(**{"agentpod.test.case": engine.case}) == []


def test_a_missing_image_is_image_unavailable(engine, backend, user):
    flavor = ContainerFlavorFactory(id="elixir")
    sandbox = SandboxFactory(user=user, flavor_id=flavor.id, addon_ids=[])
    with pytest.raises(ImageUnavailable) as caught:
        backend.create(container_spec(sandbox))
    assert caught.value.body() == {"error": "Sandbox image not available"}


def test_a_second_create_for_the_same_sandbox_is_a_conflict(engine, backend, sandbox):
    backend.create(container_spec(sandbox))
    with pytest.raises(EngineConflict):
        backend.create(container_spec(sandbox))


def test_a_container_is_found_by_its_recorded_id_when_the_prefix_changed(engine, backend, sandbox, settings):
    sandbox.container_id = backend.create(container_spec(sandbox)).id
    settings.SANDBOX_CONTAINER_PREFIX = "renamed"
    backend.start(container_ref(sandbox))
    assert backend.inspect(container_ref(sandbox)).status == "running"


def test_engine_info(engine, backend):
    info = backend.engine_info()
    assert info.api_version and info.version and info.os and info.arch
    assert info.images >= 1


def test_the_owners_repository_is_mounted_as_the_workspace(engine, backend, user, other_user, repos_dir):
    repository_init(user=user, name="my-repo", files={"README.md": "# my-repo\n"})
    repository_init(user=other_user, name="theirs", files={"README.md": "# theirs\n"})
    sandbox = SandboxFactory(user=user, flavor_id="js", addon_ids=[], repo_name="my-repo")
    backend.create(container_spec(sandbox))
    backend.start(container_ref(sandbox))
    assert backend.exec(container_ref(sandbox), ["cat", "/home/developer/workspace/README.md"]).stdout == (
        "# my-repo\n")
    assert raw(engine, sandbox)["HostConfig"]["Binds"] == [
        f"{repos_dir / user.pk / 'my-repo'}:/home/developer/workspace:rw"]

    # No repository of the owner's by that name (another user's does not count): no mount at all.
    for repo_name in ["not-cloned-yet", "theirs"]:
        without_repo = SandboxFactory(user=user, flavor_id="js", addon_ids=[], repo_name=repo_name)
        backend.create(container_spec(without_repo))
        assert raw(engine, without_repo)["HostConfig"]["Binds"] in (None, [])


def test_the_workspace_source_is_the_engine_hosts_path_when_configured(user, settings, repos_dir):
    repository_init(user=user, name="my-repo")
    sandbox = SandboxFactory(user=user, flavor_id="js", addon_ids=[], repo_name="my-repo")
    settings.SANDBOX_REPOS_HOST_DIR = "/srv/agentpod/repos"
    assert container_spec(sandbox).binds == {
        f"/srv/agentpod/repos/{user.pk}/my-repo": {"bind": "/home/developer/workspace", "mode": "rw"}}


def test_the_sandbox_delete_service_removes_the_container_through_the_interface(engine, backend, sandbox):
    from sandboxes.models import Sandbox
    from sandboxes.services import sandbox_delete

    sandbox.container_id = backend.create(container_spec(sandbox)).id
    sandbox.save()
    backend.start(container_ref(sandbox))

    sandbox_delete(sandbox=sandbox, remove_volumes=True)

    assert engine.containers(**{"agentpod.sandbox.id": sandbox.pk}) == []
    assert not Sandbox.objects.filter(pk=sandbox.pk).exists()
