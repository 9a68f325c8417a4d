"""Changing a user's repositories: create, clone, delete, write and delete files, stage, commit, branches.

Every write to one repository holds that repository's lock (a thread lock for this process, a file lock
for the others), so two requests committing at once both land, one after the other; a request that
waits longer than REPOS_LOCK_TIMEOUT gets 409 "Repository is busy". A git process outside the API (the
sandbox's CLI) is excluded by git's own index and ref locks, which `repos.git` turns into the same 409.

A repository appears under its name only when it is complete: create and clone build it in a scratch
folder next to it and rename it into place, and a failure removes the scratch folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import fasteners

from core.api.errors import ApiError, Conflict, InvalidRequest, NotFound

from . import git
from .conf import repos_settings
from .paths import RESERVED_NAMES, normalize_path, repository_dir, resolve_inside, user_root, validate_name
from .selectors import repository_get, repository_path

DEFAULT_BRANCH = "main"
DEFAULT_AUTHOR = ("AgentPod User", "user@agentpod.dev")
INITIAL_MESSAGE = "Initial commit"
# GitHub (and most hosts) take a token as the password of any user name; this one is GitHub's documented one.
TOKEN_USERNAME = "x-access-token"

DEFAULT_GITIGNORE = """# Dependencies
node_modules/
.venv/

# Build outputs
dist/
build/

# Environment files
.env
.env.local

# Editors and OS
.idea/
.vscode/
*.swp
.DS_Store
"""

_thread_locks: dict[Path, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def _locked(user, name: str) -> Iterator[None]:
    """Hold the lock of `user`'s repository `name` (which may not exist yet: create and clone take it too).

    fcntl locks (fasteners) exclude other processes only, so threads of this process also queue on a
    threading.Lock of their own.
    """
    lock_dir = user_root(user) / ".locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    key = lock_dir / f"{validate_name(name)}.lock"
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(key, threading.Lock())
    timeout = repos_settings.REPOS_LOCK_TIMEOUT
    if not thread_lock.acquire(timeout=timeout):
        raise _busy()
    try:
        process_lock = fasteners.InterProcessLock(str(key))
        if not process_lock.acquire(timeout=timeout):
            raise _busy()
        try:
            yield
        finally:
            process_lock.release()
    finally:
        thread_lock.release()


def _busy() -> Conflict:
    return Conflict("Repository is busy",
                    details="Another change to this repository is in progress; try again")


def _scratch(user, kind: str) -> Path:
    """A fresh folder name beside the user's repositories; a leading dot keeps it out of every listing."""
    return user_root(user) / f".{kind}-{uuid.uuid4().hex}"


def _new_name(user, name: str) -> Path:
    if validate_name(name) in RESERVED_NAMES:
        raise InvalidRequest(details=f'name: "{name}" is reserved')
    path = repository_dir(user, name)
    if path.exists():
        raise Conflict("Repository already exists")
    return path


# -- lifecycle ---------------------------------------------------------------------------------------------

def repository_init(*, user, name: str, files: dict[str, str] | None = None, message: str = INITIAL_MESSAGE,
                    description: str | None = None, default_branch: str = DEFAULT_BRANCH,
                    author: tuple[str, str] = DEFAULT_AUTHOR) -> dict:
    """A new repository on `default_branch`. With `files` (even `{}`), they are written and committed as
    the first commit with `message` by `author`; without, the repository has no commit yet. Returns the
    Repository."""
    if not git.is_valid_branch_name(default_branch):
        raise InvalidRequest(details="defaultBranch: is not a valid branch name")
    contents = None
    if files is not None:
        contents = {normalize_path(path, field="files"): text.encode("utf-8") for path, text in files.items()}
    with _locked(user, name):
        final = _new_name(user, name)
        scratch = _scratch(user, "init")
        try:
            git.init(scratch, branch=default_branch, description=description, files=contents, message=message,
                     author=author)
            os.rename(scratch, final)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return repository_get(user=user, name=name)


def template_files(*, name: str, readme: bool | str | None = None, gitignore: bool | str | None = None,
                   agentpod_config: bool | str | None = None) -> dict[str, str]:
    """The files of a repository template: each is left out (None or False), the default (True), or the
    given text."""
    defaults = {"README.md": (readme, f"# {name}\n\nA new AgentPod project.\n"),
                ".gitignore": (gitignore, DEFAULT_GITIGNORE),
                "agentpod.toml": (agentpod_config,
                                  f'# AgentPod configuration\n\n[project]\nname = "{name}"\n')}
    return {path: (value if isinstance(value, str) else default)
            for path, (value, default) in defaults.items() if value}


def repository_create(*, user, name: str, description: str | None = None,
                      default_branch: str = DEFAULT_BRANCH, template: dict | None = None) -> dict:
    """`POST /api/v2/repos`: with a template (even an empty one) there is an initial commit."""
    files = None if template is None else template_files(
        name=name, readme=template.get("readme"), gitignore=template.get("gitignore"),
        agentpod_config=template.get("agentpodConfig"))
    return repository_init(user=user, name=name, files=files, description=description,
                           default_branch=default_branch)


def repository_clone(*, user, name: str, url: str, token: str | None = None, branch: str | None = None,
                     depth: int | None = None, username: str | None = None,
                     password: str | None = None) -> dict:
    """Clone `url` as `user`'s repository `name`; returns the Repository.

    Credentials (`token`, or `username` and `password`) are used for this clone only: never stored (the
    remote URL is kept without them), logged or echoed. The clone is bounded by REPOS_CLONE_TIMEOUT and
    REPOS_CLONE_MAX_BYTES; whatever fails, nothing is left behind.
    """
    if _check_clone_url(url) == "local" and depth:
        raise InvalidRequest(details="depth: is not supported when cloning a local path")
    if branch is not None and not git.is_valid_branch_name(branch):
        raise InvalidRequest(details="branch: is not a valid branch name")
    auth = None
    if token:
        auth = (username or TOKEN_USERNAME, token)
    elif username and password:
        auth = (username, password)
    with _locked(user, name):
        final = _new_name(user, name)
        scratch = _scratch(user, "clone")
        try:
            git.clone(url, scratch, auth=auth, branch=branch, depth=depth,
                      timeout=repos_settings.REPOS_CLONE_TIMEOUT,
                      idle_timeout=repos_settings.REPOS_CLONE_IDLE_TIMEOUT,
                      max_bytes=repos_settings.REPOS_CLONE_MAX_BYTES)
            os.rename(scratch, final)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return repository_get(user=user, name=name)


def _check_clone_url(url: str) -> str:
    """"remote" or "local" (a path or file:// URL, allowed only when REPOS_CLONE_SCHEMES has "file")."""
    schemes = set(repos_settings.REPOS_CLONE_SCHEMES)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and scheme in schemes:
        if not parts.hostname:
            raise InvalidRequest(details="url: must name a host")
        if parts.username is not None or parts.password is not None:
            # A URL's credentials would be stored as the remote's URL (and shown as remoteUrl).
            raise InvalidRequest(details="url: must not contain credentials; send them in auth")
        return "remote"
    if "file" in schemes and (scheme == "file" or (not scheme and url.startswith("/"))):
        return "local"
    raise InvalidRequest(details=f"url: must be a URL with scheme {' or '.join(sorted(schemes))}")


def repository_delete(*, user, name: str) -> None:
    """Remove the repository. It leaves its name at once (a rename), then its files are deleted."""
    with _locked(user, name):
        path = repository_path(user=user, name=name)
        trash = _scratch(user, "trash")
        try:
            os.rename(path, trash)
        except OSError:
            raise ApiError("Failed to delete repository", status_code=500) from None
        shutil.rmtree(trash, ignore_errors=True)


IMPORTED_FROM_KEY = "agentpod.importedfrom"


class RepositoryNotPlaced(Exception):
    """`repository_adopt` cannot place a repository; the message says why (for an operator's report)."""


def repository_adopt(*, user, name: str, source: Path, origin: str, move: bool = False,
                     dry_run: bool = False) -> str:
    """Make the existing repository folder `source` `user`'s repository `name` (an import of the old
    server's repositories). Returns "copied", "moved" or "already in place" ("would copy" or "would move"
    with `dry_run`, which changes nothing); raises RepositoryNotPlaced.

    The placed repository records `origin` (e.g. the sandbox id) in its config, so a re-run recognises
    its own work: a folder already at `name` with the same origin is in place, any other is a name
    clash. Like create and clone, the copy is built in a scratch folder and renamed into place; a move
    that fails half way is moved back.
    """
    try:
        final = repository_dir(user, name)
    except InvalidRequest:
        raise RepositoryNotPlaced(f"{name!r} is not a valid repository name") from None
    if final.exists():
        if git.is_repository(final) and git.config_get(final, IMPORTED_FROM_KEY) == origin:
            return "already in place"
        raise RepositoryNotPlaced(f"name clash: {final} already exists")
    if not source.is_dir():
        raise RepositoryNotPlaced(f"no such directory: {source}")
    if not git.opens(source):
        raise RepositoryNotPlaced(f"not a git repository: {source}")
    if dry_run:
        return "would move" if move else "would copy"
    with _locked(user, name):
        if final.exists():
            raise RepositoryNotPlaced(f"name clash: {final} already exists")
        scratch = _scratch(user, "import")
        try:
            if move:
                shutil.move(source, scratch)
            else:
                shutil.copytree(source, scratch, symlinks=True)
            git.config_set(scratch, IMPORTED_FROM_KEY, origin)
            os.rename(scratch, final)
        except (OSError, ApiError) as exc:
            raise RepositoryNotPlaced(f"could not {'move' if move else 'copy'} {source}: {exc}") from None
        finally:
            if scratch.exists():
                if move and not source.exists():
                    shutil.move(scratch, source)
                else:
                    shutil.rmtree(scratch, ignore_errors=True)
    return "moved" if move else "copied"


# -- working tree and index ----------------------------------------------------------------------------------

def repository_file_write(*, user, name: str, path: str, content: str) -> None:
    """Write `content` (UTF-8) to the file `path`, creating its folders, and stage it."""
    root = repository_path(user=user, name=name)
    file_path = normalize_path(path)
    data = content.encode("utf-8")
    max_bytes = repos_settings.REPOS_MAX_FILE_BYTES
    if len(data) > max_bytes:
        raise git.file_too_large(max_bytes, "content")
    with _locked(user, name):
        target = resolve_inside(root, file_path)
        if target.is_dir():
            raise InvalidRequest(details="path: is a directory")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidRequest(details="path: a parent of the path is a file") from None
        _write_no_follow(target, data)
        git.stage(root, paths=[file_path])


def _write_no_follow(target: Path, data: bytes) -> None:
    # O_NOFOLLOW: if the final component became a symlink after the check, the write fails instead of
    # following it. Writing through a symlink is refused outright (it would change another file).
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidRequest(details="path: is a symbolic link") from None
        raise
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def repository_file_delete(*, user, name: str, path: str) -> None:
    """Delete the file `path` from the working tree and stage the deletion; 404 when neither the working
    tree nor the index has it. A symlink is removed itself, wherever it points."""
    root = repository_path(user=user, name=name)
    file_path = normalize_path(path)
    with _locked(user, name):
        target = resolve_inside(root, file_path, follow_final=False)
        on_disk = target.is_symlink() or target.exists()
        if on_disk and target.is_dir() and not target.is_symlink():
            raise InvalidRequest(details="path: is a directory")
        if not on_disk and not git.is_tracked(root, file_path=file_path):
            raise NotFound("File not found")
        if on_disk:
            target.unlink()
        git.stage(root, paths=[file_path])


def repository_stage(*, user, name: str, paths: list[str] | None = None) -> None:
    """Stage `paths` (files or folders) as they are in the working tree, or everything when None or []."""
    root = repository_path(user=user, name=name)
    relatives = [normalize_path(p, field="paths") for p in paths] if paths else None
    with _locked(user, name):
        for relative in relatives or []:
            resolve_inside(root, relative, field="paths", follow_final=False)
        git.stage(root, paths=relatives)


def repository_commit(*, user, name: str, message: str, author: tuple[str, str] | None = None,
                      stage_all: bool = False) -> str:
    """Commit the index (after staging everything when `stage_all`, as a sandbox's git/commit does) on
    the current branch, as `author` (name, email) or AgentPod User; returns the commit id."""
    root = repository_path(user=user, name=name)
    with _locked(user, name):
        if stage_all:
            git.stage(root, paths=None)
        return git.commit(root, message=message, author=author or DEFAULT_AUTHOR)


# -- branches ------------------------------------------------------------------------------------------------

def repository_branch_create(*, user, name: str, branch: str, ref: str | None = None) -> None:
    """Create `branch` at `ref` (HEAD); HEAD does not move."""
    root = repository_path(user=user, name=name)
    if not git.is_valid_branch_name(branch):
        raise InvalidRequest(details="name: is not a valid branch name")
    with _locked(user, name):
        git.branch_create(root, name=branch, ref=ref or "HEAD")


def repository_branch_delete(*, user, name: str, branch: str) -> None:
    root = repository_path(user=user, name=name)
    with _locked(user, name):
        git.branch_delete(root, name=branch)


def repository_checkout(*, user, name: str, ref: str) -> None:
    """Switch to branch `ref`, or detach HEAD at the commit `ref` names."""
    root = repository_path(user=user, name=name)
    with _locked(user, name):
        git.checkout(root, ref=ref)
