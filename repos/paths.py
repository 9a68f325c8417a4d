"""Where repositories live and which names and paths a client may use (DECISIONS 25, 26).

A repository is the directory `REPOS_DIR/<user id>/<name>`: the user id in the path is what makes it
the user's. Names match `^[A-Za-z0-9_-]{1,100}$` everywhere, so a name can never be `.`, `..` or hide a
separator. A file path is relative to its repository and must stay inside it: first lexically (`..`
resolved, no absolute path, no NUL, no `.git`, bounded length), then on disk (symlinks resolved).
Every failure is a 400 in the project's error shape.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from core.api.errors import InvalidRequest

NAME_PATTERN = r"[A-Za-z0-9_-]{1,100}"
NAME_RE = re.compile(rf"^{NAME_PATTERN}\Z")
NAME_MESSAGE = "Name can only contain letters, numbers, underscores, and hyphens"
# `POST /api/v2/repos/clone` owns this segment: a repository named "clone" could never be read back.
RESERVED_NAMES = frozenset({"clone"})
# Linux's PATH_MAX and NAME_MAX: a longer path could never be written, so it is refused up front.
MAX_PATH_BYTES = 4096
MAX_COMPONENT_BYTES = 255
GIT_DIR = ".git"


def validate_name(name: str, *, field: str = "name") -> str:
    """A repository name, or 400."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidRequest(details=f"{field}: {NAME_MESSAGE}")
    return name


def user_root(user) -> Path:
    """The folder holding `user`'s repositories (it may not exist yet)."""
    user_id = str(user.pk)
    # Ids are generated (UUIDs, Better Auth's alphanumerics), but a path segment must be exactly one.
    if not user_id or user_id in (".", "..") or "/" in user_id or "\x00" in user_id:
        raise ValueError(f"user id {user_id!r} cannot name a folder")
    return Path(settings.REPOS_DIR) / user_id


def repository_dir(user, name: str) -> Path:
    return user_root(user) / validate_name(name)


def normalize_path(raw: str, *, field: str = "path", allow_root: bool = False) -> str:
    """The lexical check: `raw` as a clean relative POSIX path (`a/./b/../c` → `a/c`), or 400.

    `allow_root` accepts "" (and what normalises to it) as the repository's root directory.
    """
    if not isinstance(raw, str):
        raise InvalidRequest(details=f"{field}: must be a string")
    if "\x00" in raw:
        raise InvalidRequest(details=f"{field}: must not contain a NUL byte")
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise InvalidRequest(details=f"{field}: is longer than {MAX_PATH_BYTES} bytes")
    if raw.startswith("/"):
        raise InvalidRequest(details=f"{field}: must be relative to the repository")
    parts: list[str] = []
    for part in raw.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise InvalidRequest(details=f"{field}: must stay inside the repository")
            parts.pop()
            continue
        if len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES:
            raise InvalidRequest(details=f"{field}: has a component longer than {MAX_COMPONENT_BYTES} bytes")
        # Git's own directory is not part of the repository's content: writing there could plant
        # hooks or configuration that a later `git` run executes.
        if part.lower() == GIT_DIR:
            raise InvalidRequest(details=f"{field}: must not name the .git directory")
        parts.append(part)
    if not parts and not allow_root:
        raise InvalidRequest(details=f"{field}: must name a file in the repository")
    return "/".join(parts)


def resolve_inside(root: Path, relative: str, *, field: str = "path", follow_final: bool = True) -> Path:
    """The on-disk check: `root/relative` with symlinks resolved must stay inside `root` (and out of
    `.git`); returns the path to use (unresolved, so the caller acts on what the client named).

    `follow_final=False` checks only the parent directories: deleting a committed symlink that points
    outside is allowed, since it removes the link, not its target.
    """
    target = root / relative if relative else root
    real_root = root.resolve()
    try:
        if follow_final or not relative:
            real = target.resolve()
        else:
            real = target.parent.resolve() / target.name
    except (OSError, RuntimeError):  # a symlink loop
        raise InvalidRequest(details=f"{field}: cannot be resolved inside the repository") from None
    if real != real_root:
        if not real.is_relative_to(real_root):
            raise InvalidRequest(details=f"{field}: must stay inside the repository")
        if real.relative_to(real_root).parts[0].lower() == GIT_DIR:
            raise InvalidRequest(details=f"{field}: must not name the .git directory")
    return target
