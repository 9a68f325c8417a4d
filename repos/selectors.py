"""Reading a user's repositories: the contract's shapes (api-contract 2.13), owner-scoped.

Every function takes the user first and finds the repository under that user's folder only, so another
user's repository answers exactly like a missing one: 404 "Repository not found" (DECISIONS 25).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from core.api.errors import InvalidRequest, NotFound
from core.serializers import iso_datetime

from . import git
from .conf import repos_settings
from .paths import NAME_RE, normalize_path, repository_dir, resolve_inside, user_root

WORKTREE_MODES = {"directory": "040000", "symlink": "120000"}


def repository_path(*, user, name: str) -> Path:
    """The folder of `user`'s repository `name`; 400 for a malformed name, 404 when there is none."""
    path = repository_dir(user, name)
    if not git.is_repository(path):
        raise NotFound("Repository not found")
    return path


def repository_get(*, user, name: str) -> dict:
    """The contract's Repository: name, path, createdAt, lastModified, currentBranch, isDirty, remoteUrl,
    description (null when absent)."""
    return _repository(name, repository_path(user=user, name=name))


def _repository(name: str, path: Path) -> dict:
    state = git.state(path)
    return {"name": name, "path": str(path), "createdAt": iso_datetime(state["createdAt"]),
            "lastModified": iso_datetime(state["lastModified"]), "currentBranch": state["currentBranch"],
            "isDirty": state["isDirty"], "remoteUrl": state["remoteUrl"], "description": state["description"]}


def repository_list(*, user) -> list[dict]:
    """The user's repositories, by name. Scratch folders of clones in progress are not repositories."""
    root = user_root(user)
    if not root.is_dir():
        return []
    names = sorted(entry.name for entry in os.scandir(root)
                   if NAME_RE.match(entry.name) and git.is_repository(root / entry.name))
    return [_repository(name, root / name) for name in names]


def repository_files(*, user, name: str, path: str = "", ref: str = "HEAD") -> list[git.FileEntry]:
    """The entries of directory `path` at `ref` ([] when it is not a directory there). Before the first
    commit, the working tree's entries, with an empty `sha`."""
    root = repository_path(user=user, name=name)
    directory = normalize_path(path, allow_root=True)
    entries = git.list_tree(root, directory=directory, ref=ref)
    return entries if entries is not None else _worktree_entries(root, directory)


def _worktree_entries(root: Path, directory: str) -> list[git.FileEntry]:
    folder = resolve_inside(root, directory)
    if not folder.is_dir():
        return []
    prefix = f"{directory}/" if directory else ""
    entries: list[git.FileEntry] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not directory and entry.name == ".git":
            continue
        kind = ("symlink" if entry.is_symlink() else "directory" if entry.is_dir(follow_symlinks=False)
                else "file")
        mode = WORKTREE_MODES.get(kind) or ("100755" if entry.stat().st_mode & 0o111 else "100644")
        entries.append({"name": entry.name, "path": prefix + entry.name, "type": kind, "mode": mode,
                        "sha": ""})
    return entries


def repository_file(*, user, name: str, path: str, ref: str = "HEAD") -> dict:
    """The contract's FileContent: the file at `ref`; at HEAD, a file only in the working tree too (with
    an empty `sha`). Text is `utf8`; a file that is not UTF-8 comes as `base64`."""
    root = repository_path(user=user, name=name)
    file_path = normalize_path(path)
    max_bytes = repos_settings.REPOS_MAX_FILE_BYTES
    blob = git.read_blob(root, file_path=file_path, ref=ref, max_bytes=max_bytes)
    if blob is None:
        if ref != "HEAD":
            raise NotFound("File not found")
        target = resolve_inside(root, file_path)
        if target.is_dir():
            raise InvalidRequest(details="path: is a directory")
        if not target.is_file():
            raise NotFound("File not found")
        if target.stat().st_size > max_bytes:
            raise git.file_too_large(max_bytes)
        blob = {"data": target.read_bytes(), "sha": ""}
    try:
        content, encoding = blob["data"].decode("utf-8"), "utf8"
    except UnicodeDecodeError:
        content, encoding = base64.b64encode(blob["data"]).decode("ascii"), "base64"
    return {"path": file_path, "content": content, "encoding": encoding, "size": len(blob["data"]),
            "sha": blob["sha"]}


def repository_status(*, user, name: str) -> list[git.FileStatusEntry]:
    """Every changed, staged or untracked file: `{path, staged, unstaged, tracked}`, by path."""
    return git.status(repository_path(user=user, name=name))


def repository_log(*, user, name: str, ref: str = "HEAD", limit: int = 20) -> list[git.CommitInfo]:
    """Up to `limit` commits reachable from `ref`, newest first; [] before the first commit."""
    return git.log(repository_path(user=user, name=name), ref=ref, limit=limit)


def repository_commit_get(*, user, name: str, sha: str) -> git.CommitInfo:
    commit = git.commit_get(repository_path(user=user, name=name), sha=sha)
    if commit is None:
        raise NotFound("Commit not found")
    return commit


def repository_branches(*, user, name: str) -> dict:
    """`{"branches": [Branch], "current": <branch name, or null when HEAD is detached>}`."""
    branches, current = git.branches(repository_path(user=user, name=name))
    return {"branches": branches, "current": current}


def repository_diff(*, user, name: str, from_ref: str | None = None,
                    to_ref: str | None = None) -> git.DiffSummary:
    """Paths added, modified, deleted and renamed from `from_ref` (HEAD) to `to_ref` (the working tree)."""
    return git.diff(repository_path(user=user, name=name), from_ref=from_ref or "HEAD", to_ref=to_ref)
