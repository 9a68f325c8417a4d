"""An in-memory orchestrator, only for failures a real engine cannot easily produce (a backend bug
raising something unexpected, an error on one chosen call). Everything else is tested on dockerd.

Select it with `settings.SANDBOX_ORCHESTRATOR = "tests.sandboxes.fakes.FakeOrchestrator"`; make a call
fail with `FakeOrchestrator.fail["exec"] = RuntimeError("boom")`. Like a real backend it knows containers
by name (`FakeOrchestrator.containers[container_name(sandbox)]`) and never sees a sandbox.
"""

from __future__ import annotations

from sandboxes.orchestrator import (
    ContainerInfo,
    ContainerNotFound,
    EngineInfo,
    ExecResult,
    Orchestrator,
    SandboxStats,
)


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

    def _get(self, ref) -> dict:
        if ref.name not in self.containers:
            raise ContainerNotFound()
        return self.containers[ref.name]

    def create(self, spec):
        self._call("create", spec.name)
        self.containers[spec.name] = {"status": "creating", "spec": spec}
        return self._info(spec.name)

    def _set(self, name, ref, status):
        self._call(name, ref.name)
        self._get(ref)["status"] = status

    def start(self, ref):
        self._set("start", ref, "running")

    def stop(self, ref, *, timeout=None):
        self._set("stop", ref, "exited")

    def restart(self, ref, *, timeout=None):
        self._set("restart", ref, "running")

    def pause(self, ref):
        self._set("pause", ref, "paused")

    def unpause(self, ref):
        self._set("unpause", ref, "running")

    def remove(self, ref, *, remove_volumes=False):
        self._call("remove", ref.name, remove_volumes)
        self.containers.pop(ref.name, None)

    def inspect(self, ref):
        self._call("inspect", ref.name)
        return self._info(ref.name)

    def _info(self, name):
        container = self.containers.get(name)
        if container is None:
            return None
        spec = container["spec"]
        return ContainerInfo(id=f"container-{name}", name=name, status=container["status"],
                             image=spec.image if spec else "", labels=spec.labels if spec else {},
                             memory_limit=spec.memory_bytes if spec else 0, nano_cpus=spec.nano_cpus if spec else 0,
                             pids_limit=spec.pids_limit if spec else None,
                             network_mode=spec.network_mode if spec else "")

    def logs(self, ref, *, tail=100, since=None, timestamps=False):
        self._call("logs", ref.name)
        self._get(ref)
        return ""

    def stats(self, ref):
        self._call("stats", ref.name)
        spec = self._get(ref)["spec"]
        return SandboxStats(0.0, 0, spec.memory_bytes, 0.0, 0, 0, 0, 0)

    def exec(self, ref, command, *, working_dir=None, env=None, user=None):
        self._call("exec", ref.name, tuple(command))
        self._get(ref)
        return ExecResult(exit_code=0, stdout="", stderr="")

    def put_archive(self, ref, path, data):
        self._call("put_archive", ref.name, path)
        self._get(ref).setdefault("archives", []).append((path, data))

    def opencode_url(self, ref):
        self._call("opencode_url", ref.name)
        container = self._get(ref)
        return container.get("opencode_url") if container["status"] == "running" else None

    def engine_info(self):
        self._call("engine_info")
        return EngineInfo("fake", "1.41", "linux", "x86_64", 0, 0, 0)
