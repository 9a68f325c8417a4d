"""A sandbox's repository: its owner's repository `<repo_name>` (the repos app), which is also the
container's workspace, bind-mounted at SANDBOX_WORKSPACE_PATH (/home/developer/workspace).

Create clones `githubUrl` (depth 1) or starts a repository with README.md, .gitignore and agentpod.toml
in an initial commit (api-contract 2.11 step 2; .gitignore is committed too, unlike the old server's);
get describes it, with its project config (`sandboxes.project_config`); delete removes it; the sandbox's
git endpoints act on it. Everything goes through repos' services and selectors as the sandbox's owner,
so no sandbox reaches another user's repository, and a write here takes the same per-repository lock as
the repos endpoints.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from core.api.errors import ApiError, InvalidRequest, NotFound
from repos import selectors as repo_selectors
from repos import services as repo_services

from .conf import sandbox_settings
from .models import Sandbox
from .project_config import project_config

logger = logging.getLogger(__name__)

# The old server's author of a sandbox's first commit (api-contract 2.11 step 2); later commits default
# to the repos app's "AgentPod User <user@agentpod.dev>".
INITIAL_AUTHOR = ("AgentPod", "agent@agentpod.dev")
SANDBOX_ID_LENGTH = 12
# Repository names are at most 100 characters: `<slug>-<id>` keeps the id whole and shortens the slug.
MAX_SLUG_IN_NAME = 100 - 1 - SANDBOX_ID_LENGTH


def sandbox_repo_name(*, slug: str, sandbox_id: str) -> str:
    """`<slug>-<id>` (api-contract 2.11), the slug cut to fit the 100 characters of a repository name."""
    return f"{slug[:MAX_SLUG_IN_NAME].rstrip('-') or 'sandbox'}-{sandbox_id}"


def workspace_create(*, user, repo_name: str, github_url: str | None = None,
                     description: str | None = None) -> dict:
    """Clone `github_url` (depth 1) as `user`'s repository `repo_name`, or initialise it from the
    template; returns the Repository. A failed clone leaves nothing (the repos app's guarantee)."""
    if github_url:
        return repo_services.repository_clone(user=user, name=repo_name, url=github_url, depth=1)
    files = repo_services.template_files(name=repo_name, readme=True, gitignore=True, agentpod_config=True)
    return repo_services.repository_init(user=user, name=repo_name, files=files, description=description,
                                         author=INITIAL_AUTHOR)


def workspace_remove(*, user, repo_name: str) -> None:
    """Delete the repository if it is there. Best effort (the old server's delete swallowed repository
    errors too): a failure is logged, never raised, so it cannot strand a sandbox half deleted."""
    try:
        repo_services.repository_delete(user=user, name=repo_name)
    except NotFound:
        pass
    except ApiError as exc:
        logger.warning("Could not delete repository %s of user %s: %s", repo_name, user.pk, exc.message)


def workspace_get(*, sandbox: Sandbox) -> dict | None:
    """The sandbox's Repository, or None when it has none (deleted, or a legacy one never imported)."""
    try:
        return repo_selectors.repository_get(user=sandbox.user, name=sandbox.repo_name)
    except (NotFound, InvalidRequest):  # InvalidRequest: a legacy repo_name that is no repository name
        return None


def workspace_config(*, sandbox: Sandbox) -> dict | None:
    """The project config of the sandbox's repository, or None when it has none."""
    path = _path(sandbox)
    return project_config(path) if path is not None else None


def _path(sandbox: Sandbox) -> Path | None:
    try:
        return repo_selectors.repository_path(user=sandbox.user, name=sandbox.repo_name)
    except (NotFound, InvalidRequest):
        return None


def workspace_host_path(*, sandbox: Sandbox) -> str | None:
    """The repository's folder as the engine's host names it, for the bind mount; None without one.

    The engine resolves a bind's source on its own host. When the API shares that host, it is the path
    the API uses; when the API runs in a container with REPOS_DIR mounted from the host, set
    SANDBOX_REPOS_HOST_DIR to the host's folder behind REPOS_DIR.
    """
    path = _path(sandbox)
    if path is None:
        return None
    host_dir = sandbox_settings.SANDBOX_REPOS_HOST_DIR
    if host_dir:
        return str(Path(host_dir) / path.relative_to(settings.REPOS_DIR))
    return str(path.absolute())


def sandbox_git_commit(*, sandbox: Sandbox, message: str, author: tuple[str, str] | None = None) -> str:
    """Stage everything in the workspace and commit it (api-contract 2.11); returns the commit id."""
    return repo_services.repository_commit(user=sandbox.user, name=sandbox.repo_name, message=message,
                                           author=author, stage_all=True)


def sandbox_git_status(*, sandbox: Sandbox) -> list:
    return repo_selectors.repository_status(user=sandbox.user, name=sandbox.repo_name)


def sandbox_git_log(*, sandbox: Sandbox, limit: int) -> list:
    return repo_selectors.repository_log(user=sandbox.user, name=sandbox.repo_name, limit=limit)
