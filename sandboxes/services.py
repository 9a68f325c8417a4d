"""Sandbox business logic. Writes go through these functions; views stay thin.

The engine is reached only through the orchestrator, with a `ContainerSpec` built by `sandboxes.specs`
and a `ContainerRef`; what the engine answers is recorded here, with the mapping of `sandboxes.states`.
"""

import logging
import re
import threading

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.activity import activity_report
from core.api.errors import ApiError, Conflict, ServiceUnavailable
from providers.selectors import opencode_auth_entries

from .conf import sandbox_settings
from .credentials import opencode_password
from .models import Sandbox, SandboxStatus
from .opencode import OpenCodeClient, OpenCodeEndpoint
from .orchestrator import EngineError, get_orchestrator
from .signals import sandbox_created, sandbox_deleted
from .specs import container_ref, container_spec, opencode_config_files, sandbox_resolve
from .states import sandbox_status_for, transition_check
from .workspace import sandbox_repo_name, workspace_create, workspace_remove

logger = logging.getLogger(__name__)


# -- config push ------------------------------------------------------------------------------------------

def sandboxes_push_config(*, user_id: str) -> int:
    """Push a user's OpenCode config, files and provider credentials into their running sandboxes (the
    old config-sync). Best effort: every failure is logged (never a secret) and swallowed; it never
    raises. Returns the number of sandboxes fully updated."""
    try:
        sandboxes = list(Sandbox.objects.filter(user_id=user_id, status=SandboxStatus.RUNNING)
                         .exclude(container_id__isnull=True))
        if not sandboxes:
            return 0
        files = opencode_config_files(user_id=user_id)
        credentials = opencode_auth_entries(user_id=user_id)
    except Exception:  # noqa: BLE001 - a push must never fail its caller
        logger.warning("Config push for user %s: could not read the config", user_id, exc_info=True)
        return 0
    orchestrator, exec_user, pushed = get_orchestrator(), sandbox_settings.SANDBOX_EXEC_USER or None, 0
    for sandbox in sandboxes:
        ref = container_ref(sandbox)
        try:
            for path, (content, mode) in files.items():
                orchestrator.write_file(ref, path=path, content=content, mode=mode, user=exec_user)
            pushed += 1
        except EngineError as exc:
            logger.warning("Config push to sandbox %s failed: %s", sandbox.pk, type(exc).__name__)
            continue
        except Exception:  # noqa: BLE001
            logger.warning("Config push to sandbox %s failed unexpectedly", sandbox.pk, exc_info=True)
            continue
        _opencode_reload(sandbox, credentials=credentials)
    return pushed


def _opencode_reload(sandbox: Sandbox, *, credentials: dict[str, dict]) -> None:
    """Tell the sandbox's running OpenCode what changed, without a restart: the credentials through its
    auth API, then a dispose of the loaded workspace, so the next request re-reads the config files. (A
    SIGHUP, which the old server's images answered with a reload, ends OpenCode 1.18's server.) A
    credential removed from auth.json is gone at OpenCode's next start. Best effort, like the push."""
    try:
        with OpenCodeClient(sandbox_opencode_endpoint(sandbox=sandbox)) as opencode:
            for provider_id, credential in credentials.items():
                opencode.auth_set(provider_id, credential)
            opencode.instance_dispose()
    except ApiError as exc:
        logger.info("Config push to sandbox %s: OpenCode not reloaded (%s)", sandbox.pk, exc.message)


def sandboxes_push_config_soon(*, user_id: str) -> None:
    """`sandboxes_push_config` without delaying or failing the caller (api-contract 1.12): in a background
    thread, or inline when `SANDBOX_CONFIG_PUSH_INLINE` is set (tests: no thread is left behind)."""
    def push_in_thread() -> None:
        try:
            sandboxes_push_config(user_id=user_id)
        finally:
            connection.close()  # the thread's own database connection

    if settings.SANDBOX_CONFIG_PUSH_INLINE:
        sandboxes_push_config(user_id=user_id)
    else:
        threading.Thread(target=push_in_thread, name=f"push-config-{user_id}", daemon=True).start()


# -- delete ---------------------------------------------------------------------------------------------

def sandbox_delete(*, sandbox, remove_volumes: bool = True, delete_repo: bool = True, request=None) -> None:
    """Remove a sandbox's container (when it has one), then mark the sandbox deleted, then remove its
    repository unless `delete_repo` is False.

    A soft delete: the old server deleted the row, and the database cascaded its chat history with it;
    here the row stays (`deleted_at`), so its chat sessions are kept, archived (by the chat app, on
    `sandbox_deleted`), with their messages. From then on the sandbox is gone for its owner (404
    everywhere, absent from lists and counts, its credential refused). Its container fields and URLs
    are cleared and its slug is renamed to one `slug_base` never makes, so a new sandbox of the same name
    gets the same slug again.

    An engine failure is raised before anything is changed, so the row is never orphaned from a
    container that still runs. Deleting a sandbox that is already deleted (two requests at once) does
    nothing more.
    """
    if sandbox.container_id:
        get_orchestrator().remove(container_ref(sandbox), remove_volumes=remove_volumes)
    with transaction.atomic():
        # The row lock orders two deletes of one sandbox, and a chat sync storing a session meanwhile
        # (`sandbox_hold`): whichever comes second sees the sandbox deleted.
        if not Sandbox.objects.select_for_update().filter(pk=sandbox.pk).exists():
            return
        sandbox.deleted_at = timezone.now()
        sandbox.status = SandboxStatus.STOPPED
        sandbox.slug = deleted_slug(sandbox)
        sandbox.container_id = sandbox.container_name = None
        sandbox.opencode_url = sandbox.acp_gateway_url = sandbox.vnc_url = sandbox.code_server_url = None
        sandbox.save(update_fields=["deleted_at", "status", "slug", "container_id", "container_name", "opencode_url",
                                    "acp_gateway_url", "vnc_url", "code_server_url", "updated_at"])
        sandbox_deleted.send(sender=Sandbox, sandbox=sandbox)
    if delete_repo:
        workspace_remove(user=sandbox.user, repo_name=sandbox.repo_name)
    activity_report(action="sandbox.delete", user=sandbox.user, entity_type="sandbox", entity_id=sandbox.pk,
                    request=request)


def deleted_slug(sandbox: Sandbox) -> str:
    """The slug a deleted sandbox keeps: its old one and its id, joined by dots, which `slug_base` never
    produces, so the (user, slug) constraint stays and the old slug is free again."""
    return f"{sandbox.slug}.deleted.{sandbox.pk}"


def sandbox_hold(*, sandbox_id: str) -> bool:
    """Whether the sandbox is still there (not deleted), holding it until the caller's transaction ends,
    so that a `sandbox_delete` waits for the caller's writes (and archives them) instead of missing them.
    FOR KEY SHARE, which only a delete's lock conflicts with: ordinary updates of the row never wait."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT deleted_at IS NULL FROM "{Sandbox._meta.db_table}" WHERE id = %s FOR KEY SHARE',
                       [sandbox_id])
        row = cursor.fetchone()
    return bool(row and row[0])


# -- create ---------------------------------------------------------------------------------------------

DEFAULT_ADDON_IDS = ["code-server"]


def slug_base(name: str) -> str:
    """The old server's slug: lower-case, every run of other characters a single `-`, trimmed."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "sandbox"


def sandbox_unique_slug(*, user, name: str) -> str:
    """Unique per user: `name`, then `name-1`, `name-2`, ... (one query)."""
    base = slug_base(name)
    taken = set(Sandbox.objects.filter(user=user, slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
                .values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(1, len(taken) + 2) if f"{base}-{n}" not in taken)


def sandbox_create(*, user, name: str, description: str | None = None, github_url: str | None = None,
                   flavor_id: str | None = None, resource_tier_id: str | None = None,
                   addon_ids: list[str] | None = None, auto_start: bool = False, request=None) -> Sandbox:
    """Validate the configuration, make the sandbox's repository, store the sandbox and its pending
    onboarding session, create its container (and start it with `auto_start`).

    An invalid flavor, tier or addon is a 400 before anything is written (DECISIONS 17). The repository
    comes before the row (api-contract 2.11 steps 2-3): a clone that fails leaves neither, and a row that
    cannot be stored takes its new repository with it. An engine failure after the row exists leaves the
    sandbox in `error` with a message, and is raised.
    """
    addon_ids = DEFAULT_ADDON_IDS if addon_ids is None else addon_ids
    resolution = sandbox_resolve(flavor_id=flavor_id, addon_ids=addon_ids, resource_tier_id=resource_tier_id)
    for attempt in range(3):
        sandbox = Sandbox(user=user, name=name, description=description, github_url=github_url,
                          flavor_id=resolution.flavor.id, resource_tier_id=resolution.resource_tier.id,
                          addon_ids=list(dict.fromkeys(addon_ids)), status=SandboxStatus.CREATED,
                          slug=sandbox_unique_slug(user=user, name=name))
        sandbox.repo_name = sandbox_repo_name(slug=sandbox.slug, sandbox_id=sandbox.id)
        workspace_create(user=user, repo_name=sandbox.repo_name, github_url=github_url,
                         description=description)
        try:
            with transaction.atomic():
                sandbox.save(force_insert=True)
                sandbox_created.send(sender=Sandbox, sandbox=sandbox)
            break
        except IntegrityError:
            workspace_remove(user=user, repo_name=sandbox.repo_name)
            if attempt == 2:  # the same slug taken three times by concurrent creates
                raise Conflict("A sandbox with this name is being created; try again") from None
        except BaseException:
            workspace_remove(user=user, repo_name=sandbox.repo_name)
            raise
    activity_report(action="sandbox.create", user=user, entity_type="sandbox", entity_id=sandbox.pk,
                    metadata={"params": {"id": sandbox.pk}}, request=request)

    _set_status(sandbox, SandboxStatus.STARTING)
    try:
        info = get_orchestrator().create(container_spec(sandbox, resolution=resolution))
    except EngineError as error:
        _set_status(sandbox, SandboxStatus.ERROR, error_message=error.message)
        raise
    sandbox.container_id, sandbox.container_name = info.id, info.name
    _set_status(sandbox, sandbox_status_for(info.status), "container_id", "container_name")
    if auto_start:
        sandbox_lifecycle(sandbox=sandbox, action="start", request=request)
    return sandbox


# -- lifecycle -------------------------------------------------------------------------------------------

_ORCHESTRATOR_CALLS = {
    "start": lambda o, ref, timeout: o.start(ref),
    "stop": lambda o, ref, timeout: o.stop(ref, timeout=timeout),
    "restart": lambda o, ref, timeout: o.restart(ref, timeout=timeout),
    "pause": lambda o, ref, timeout: o.pause(ref),
    "unpause": lambda o, ref, timeout: o.unpause(ref),
}
_LOGGED_ACTIONS = {"start", "stop"}  # the old server's activity table (api-contract 1.10)


def sandbox_lifecycle(*, sandbox: Sandbox, action: str, timeout: int | None = None, request=None) -> Sandbox:
    """Run a lifecycle action through the orchestrator, moving the status as `sandboxes.states` says."""
    transition = transition_check(action=action, status=sandbox.status)
    if transition.during:
        _set_status(sandbox, transition.during)
    try:
        _ORCHESTRATOR_CALLS[action](get_orchestrator(), container_ref(sandbox), timeout)
    except EngineError as error:
        if transition.failure:
            _set_status(sandbox, transition.failure, error_message=error.message)
        raise
    fields = []
    if action in ("start", "restart", "unpause"):
        # Where this API reaches the sandbox's OpenCode: asked once per start, not once per proxied call.
        sandbox.last_accessed_at, sandbox.opencode_url = timezone.now(), _opencode_url(sandbox)
        fields = ["last_accessed_at", "opencode_url"]
    elif action in ("stop", "pause"):
        sandbox.opencode_url = None
        fields = ["opencode_url"]
    _set_status(sandbox, transition.success, *fields, error_message=None)
    if action in _LOGGED_ACTIONS:
        activity_report(action=f"sandbox.{action}", user=sandbox.user, entity_type="sandbox", entity_id=sandbox.pk,
                        metadata={"params": {"id": sandbox.pk}}, request=request)
    return sandbox


class SandboxNotRunning(ServiceUnavailable):
    """503 `{"error": "Sandbox is not running (status: <s>)"}` (api-contract 2.11, the proxy endpoints)."""

    def __init__(self, status: str | None):
        super().__init__(f"Sandbox is not running (status: {status})")


def sandbox_opencode_endpoint(*, sandbox: Sandbox) -> OpenCodeEndpoint:
    """Where this API reaches the sandbox's OpenCode, with its password (DECISIONS 24). A sandbox that is
    not running, or whose OpenCode the engine cannot place, is a 503."""
    if sandbox.status != SandboxStatus.RUNNING:
        raise SandboxNotRunning(sandbox.status)
    if not sandbox.opencode_url:
        # Started before its address was recorded (or the engine was away then): ask once, keep it.
        sandbox.opencode_url = _opencode_url(sandbox)
        if not sandbox.opencode_url:
            raise SandboxNotRunning(sandbox.status)
        Sandbox.objects.filter(pk=sandbox.pk).update(opencode_url=sandbox.opencode_url)
    return OpenCodeEndpoint(base_url=sandbox.opencode_url, password=opencode_password(sandbox.pk))


def _opencode_url(sandbox: Sandbox) -> str | None:
    try:
        return get_orchestrator().opencode_url(container_ref(sandbox))
    except EngineError:
        return None


def sandbox_refresh_from_engine(*, sandbox: Sandbox):
    """The container's live state, with the row's status brought in line with it (reads never fail
    on the engine: an unreachable engine leaves the row as it is and answers None)."""
    if not sandbox.container_id:
        return None
    try:
        info = get_orchestrator().inspect(container_ref(sandbox))
    except EngineError:
        return None
    if info is not None and sandbox_status_for(info.status) != sandbox.status:
        _set_status(sandbox, sandbox_status_for(info.status))
    return info


def sandbox_mark_accessed(*, sandbox: Sandbox) -> None:
    """Record that the owner opened the sandbox (without touching `updated_at`)."""
    Sandbox.objects.filter(pk=sandbox.pk).update(last_accessed_at=timezone.now())


def _set_status(sandbox: Sandbox, status: str | None, *fields: str, error_message: str | None | object = ...):
    if status is not None:
        sandbox.status = status
    update = ["status", "updated_at", *fields]
    if error_message is not ...:
        sandbox.error_message = error_message
        update.append("error_message")
    sandbox.save(update_fields=update)
