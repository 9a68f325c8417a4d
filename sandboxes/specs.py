"""What a sandbox's container is made of: the finished `ContainerSpec` a backend creates from, and the
config files a push writes into it.

This is where the database meets the engine: the flavor, addons and tier resolve through the
reference data (`containers.services.image_resolve`, once per create), the environment gathers the
user's OpenCode config (settings_app) and decrypted provider credentials (providers). Backends
receive only the result.
"""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.utils import timezone

from containers.services import ImageResolution, image_resolve
from core.api.errors import InvalidRequest
from providers.selectors import opencode_auth_entries
from settings_app.selectors import opencode_user_config

from .conf import sandbox_settings
from .credentials import opencode_password, sandbox_api_token
from .models import Sandbox
from .orchestrator import ContainerRef, ContainerSpec
from .signals import container_environment
from .workspace import workspace_host_path


class SandboxSpecInvalid(InvalidRequest):
    """The sandbox's flavor, tier or addons do not resolve (unknown, disabled, rule not met)."""

    message = "Invalid sandbox configuration"


def container_name(sandbox: Sandbox) -> str:
    """`{prefix}-{sandboxId}` (api-contract 1.12), the name the OpenCode proxy reaches it by."""
    return f"{sandbox_settings.SANDBOX_CONTAINER_PREFIX}-{sandbox.pk}"


def container_ref(sandbox: Sandbox) -> ContainerRef:
    return ContainerRef(name=container_name(sandbox), id=sandbox.container_id)


def _iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dump(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def container_labels(sandbox: Sandbox) -> dict[str, str]:
    """The old server's labels (api-contract 2.11):
    `agentpod.sandbox.{id,name,slug,user,repo,created,github}`, plus `agentpod.managed` and the
    configured extra labels."""
    labels = {
        **sandbox_settings.SANDBOX_EXTRA_LABELS,
        "agentpod.managed": "true",
        "agentpod.sandbox.id": sandbox.pk,
        "agentpod.sandbox.name": sandbox.name,
        "agentpod.sandbox.slug": sandbox.slug,
        "agentpod.sandbox.user": sandbox.user_id,
        "agentpod.sandbox.repo": sandbox.repo_name,
        "agentpod.sandbox.created": _iso(timezone.now()),
    }
    if sandbox.github_url:
        labels["agentpod.sandbox.github"] = sandbox.github_url
    return labels


def container_environment_for(sandbox: Sandbox, *, addon_env: dict[str, str],
                              extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the old server gave a sandbox (api-contract 2.11 step 5): identity, the management
    API and the sandbox's own credential for it, the password of its OpenCode server, the addons'
    switches, the user's OpenCode config, decrypted provider credentials as `OPENCODE_AUTH_JSON` (only
    when there are some), and what the apps above add (the onboarding session, through
    `sandboxes.signals.container_environment`). Never the global service token (DECISIONS 31)."""
    env = {
        "SANDBOX_ID": sandbox.pk,
        "SANDBOX_USER_ID": sandbox.user_id,
        "USER_ID": sandbox.user_id,
        "PROJECT_NAME": sandbox.name,
        "MANAGEMENT_API_URL": settings.PUBLIC_URL,
        "AGENTPOD_API_TOKEN": sandbox_api_token(sandbox.pk),
        "OPENCODE_SERVER_PASSWORD": opencode_password(sandbox.pk),
        **addon_env,
    }
    auth = opencode_auth_entries(user_id=sandbox.user_id)
    if auth:
        env["OPENCODE_AUTH_JSON"] = _dump(auth)
    user_config = opencode_user_config(user_id=sandbox.user_id)
    if user_config is not None:
        env["OPENCODE_USER_CONFIG"] = _dump(user_config)
        if user_config["settings"]:
            # What `opencode serve` itself reads at start, so any OpenCode image runs with the user's config.
            env["OPENCODE_CONFIG_CONTENT"] = _dump(user_config["settings"])
    for _receiver, added in container_environment.send(sender=Sandbox, sandbox=sandbox):
        env.update(added or {})
    env.update(extra_env or {})
    return env


def sandbox_resolve(*, flavor_id: str | None, addon_ids: list[str], resource_tier_id: str | None
                    ) -> ImageResolution:
    """Flavor, addons and tier through the reference data; one that does not resolve is a 400
    (DECISIONS 17)."""
    resolution = image_resolve(flavor_id=flavor_id, addon_ids=addon_ids, resource_tier_id=resource_tier_id,
                               has_gpu=bool(sandbox_settings.SANDBOX_GPU_AVAILABLE))
    if not resolution.valid:
        raise SandboxSpecInvalid(details="; ".join(resolution.errors))
    return resolution


def container_spec(sandbox: Sandbox, *, resolution: ImageResolution | None = None,
                   extra_env: dict[str, str] | None = None) -> ContainerSpec:
    """The sandbox's container spec; the tiers table drives the limits (DECISIONS 16). Pass the
    `resolution` already made for this sandbox to resolve it only once."""
    if resolution is None:
        resolution = sandbox_resolve(flavor_id=sandbox.flavor_id, addon_ids=list(sandbox.addon_ids or []),
                                     resource_tier_id=sandbox.resource_tier_id)
    limits = resolution.limits
    binds = {}
    workspace = workspace_host_path(sandbox=sandbox)
    if workspace is not None:
        binds[workspace] = {"bind": sandbox_settings.SANDBOX_WORKSPACE_PATH, "mode": "rw"}
    return ContainerSpec(
        name=container_name(sandbox),
        image=resolution.image_ref,
        labels=container_labels(sandbox),
        env=container_environment_for(sandbox, addon_env=resolution.addon_env, extra_env=extra_env),
        memory_bytes=limits.memory_bytes,
        memory_reservation_bytes=limits.memory_reservation_bytes,
        nano_cpus=limits.nano_cpus,
        pids_limit=limits.pids_limit,
        storage_bytes=limits.storage_bytes,
        exposed_ports=[sandbox_settings.SANDBOX_OPENCODE_PORT, *resolution.exposed_ports],
        opencode_port=sandbox_settings.SANDBOX_OPENCODE_PORT,
        network_mode=sandbox_settings.SANDBOX_NETWORK_MODE,
        requires_gpu=resolution.requires_gpu,
        command=sandbox_settings.SANDBOX_CONTAINER_COMMAND,
        binds=binds,
    )


def opencode_config_files(*, user_id: str) -> dict[str, tuple[str, str]]:
    """path → (content, mode) of everything a config push writes, as the old config-sync laid it out.
    Holds decrypted credentials: never log it."""
    config_dir = sandbox_settings.SANDBOX_OPENCODE_CONFIG_DIR.rstrip("/")
    files: dict[str, tuple[str, str]] = {}
    user_config = opencode_user_config(user_id=user_id) or {"settings": {}, "files": []}
    if user_config["settings"]:
        files[f"{config_dir}/opencode.json"] = (json.dumps(user_config["settings"], indent=2), "644")
    if user_config.get("agents_md"):
        files[f"{config_dir}/AGENTS.md"] = (user_config["agents_md"], "644")
    for file in user_config["files"]:
        path = f"{config_dir}/{file['type']}/{file['name']}.{file['extension']}"
        files[path] = (file["content"], "644")
    # Always written, even empty: a credential the user removed must leave the running sandboxes too.
    files[sandbox_settings.SANDBOX_OPENCODE_AUTH_PATH] = (_dump(opencode_auth_entries(user_id=user_id)), "600")
    return files
