"""An in-memory orchestrator, only for failures a real engine cannot easily produce (a backend bug
raising something unexpected, an error on one chosen call). Everything else is tested on dockerd.

Select it with `settings.SANDBOX_ORCHESTRATOR = "tests.sandboxes.fakes.FakeOrchestrator"`; make a call
fail with `FakeOrchestrator.fail["exec"] = RuntimeError("boom")`.
"""

from __future__ import annotations

from sandboxes.orchestrator import (
    ContainerInfo,
    ContainerNotFound,
    EngineInfo,
    ExecResult,
    Orchestrator,
    SandboxStats,
    container_name,
    container_spec,
)
from sandboxes.states import sandbox_status_for


class FakeOrchestrator(Orchestrator):
    fail: dict[str, Exception] = {}
    containers: dict[str, dict] = {}
    calls: list[tuple] = []

    @classmethod
    def reset(cls):
        cls.fail, cls.containers, cls.calls = {}, {}, []

    def _call(self, name: str, *args):
        self.calls.append((name, *args))
        if name in self.fail:
            raise self.fail[name]

    def _get(self, sandbox) -> dict:
        if sandbox.pk not in self.containers:
            raise ContainerNotFound()
        return self.containers[sandbox.pk]

    def create(self, sandbox, *, extra_env=None):
        self._call("create", sandbox.pk)
        spec = container_spec(sandbox, extra_env=extra_env)
        self.containers[sandbox.pk] = {"status": "creating", "spec": spec}
        return self.inspect(sandbox)

    def _set(self, name, sandbox, status):
        self._call(name, sandbox.pk)
        self._get(sandbox)["status"] = status

    def start(self, sandbox):
        self._set("start", sandbox, "running")

    def stop(self, sandbox, *, timeout=None):
        self._set("stop", sandbox, "exited")

    def restart(self, sandbox, *, timeout=None):
        self._set("restart", sandbox, "running")

    def pause(self, sandbox):
        self._set("pause", sandbox, "paused")

    def unpause(self, sandbox):
        self._set("unpause", sandbox, "running")

    def remove(self, sandbox, *, remove_volumes=False):
        self._call("remove", sandbox.pk, remove_volumes)
        self.containers.pop(sandbox.pk, None)

    def inspect(self, sandbox):
        self._call("inspect", sandbox.pk)
        container = self.containers.get(sandbox.pk)
        if container is None:
            return None
        spec = container["spec"]
        return ContainerInfo(id=f"container-{sandbox.pk}", name=container_name(sandbox),
                             status=container["status"],
                             sandbox_status=sandbox_status_for(container["status"]), image=spec.image,
                             labels=spec.labels, memory_limit=spec.memory_bytes, nano_cpus=spec.nano_cpus,
                             pids_limit=spec.pids_limit, network_mode=spec.network_mode)

    def logs(self, sandbox, *, tail=100, since=None, timestamps=False):
        self._call("logs", sandbox.pk)
        self._get(sandbox)
        return ""

    def stats(self, sandbox):
        self._call("stats", sandbox.pk)
        spec = self._get(sandbox)["spec"]
        return SandboxStats(0.0, 0, spec.memory_bytes, 0.0, 0, 0, 0, 0)

    def exec(self, sandbox, command, *, working_dir=None, env=None, user=None):
        self._call("exec", sandbox.pk, tuple(command))
        self._get(sandbox)
        return ExecResult(exit_code=0, stdout="", stderr="")

    def engine_info(self):
        self._call("engine_info")
        return EngineInfo("fake", "1.41", "linux", "x86_64", 0, 0, 0)
