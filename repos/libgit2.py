"""The one module that talks to git: typed functions over a repository's directory, through pygit2.
Other modules reach it as `repos.git`, which imports it on first use.

pygit2 (libgit2, wheels with HTTPS built in) reads and writes git objects, refs and the index with git's
own locking and atomic renames, so a repository written here is one the git CLI in a container accepts,
and no git object is ever parsed by hand.

Failures: a condition a client can act on is raised as the project's exception where it is detected
(404 unknown ref, 409 branch exists, ...). Everything else libgit2 or the file system raises goes
through `_failures`: a lock held by another git process is a 409, the rest a 500 with the endpoint's
contract message; git's own text goes to the log only, never into a response.

Callers give paths that `repos.paths` has already checked; this module does not look at users.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import TypedDict

import pygit2
from pygit2 import enums

from core.api.errors import ApiError, Conflict, InvalidRequest, NotFound
from core.serializers import iso_datetime

logger = logging.getLogger(__name__)

# What the host's ~/.gitconfig or /etc/gitconfig says must not change what the API does.
for _level in (enums.ConfigLevel.PROGRAMDATA, enums.ConfigLevel.SYSTEM, enums.ConfigLevel.XDG,
               enums.ConfigLevel.GLOBAL):
    pygit2.settings.search_path[_level] = ""

# libgit2 (like git's safe.directory) refuses a repository whose folder another uid owns. That guard is
# for a tool that searches up from its working directory into someone else's repository and then runs
# what that repository's config names. Here every path is one `repos.paths` built (REPOS_DIR/<user
# id>/<name>, opened with NO_SEARCH) and libgit2 runs no hooks or configured commands; meanwhile the
# folder is shared with the sandbox's container, whose user may have another uid (and may recreate files
# or `.git` as that user), and legacy repositories can arrive owned by the old server's uid. So the
# check is off for this process: reads work whoever owns the files; a write git cannot make (a folder
# the API's uid may not write) is still refused by the file system and answered as a 500.
pygit2.settings.owner_validation = False

CREATED_KEY = "agentpod.createdat"
# The text libgit2 (like git) writes into .git/description when nobody gave one.
DEFAULT_DESCRIPTION_PREFIX = "Unnamed repository"
TYPES_BY_MODE = {0o040000: "directory", 0o120000: "symlink", 0o160000: "submodule"}
ADDED_DELTAS = (enums.DeltaStatus.ADDED, enums.DeltaStatus.UNTRACKED, enums.DeltaStatus.COPIED)
STAGED_FLAGS = [(enums.FileStatus.INDEX_NEW, "added"), (enums.FileStatus.INDEX_MODIFIED, "modified"),
                (enums.FileStatus.INDEX_DELETED, "deleted"), (enums.FileStatus.INDEX_RENAMED, "renamed"),
                (enums.FileStatus.INDEX_TYPECHANGE, "modified")]
UNSTAGED_FLAGS = [(enums.FileStatus.WT_NEW, "untracked"), (enums.FileStatus.WT_MODIFIED, "modified"),
                  (enums.FileStatus.WT_DELETED, "deleted"), (enums.FileStatus.WT_RENAMED, "renamed"),
                  (enums.FileStatus.WT_TYPECHANGE, "modified"), (enums.FileStatus.IGNORED, "ignored")]


class Person(TypedDict):
    name: str
    email: str
    timestamp: str


class CommitInfo(TypedDict):
    sha: str
    message: str
    author: Person
    committer: Person
    parents: list[str]
    timestamp: str


class FileEntry(TypedDict):
    name: str
    path: str
    type: str
    mode: str
    sha: str


class FileStatusEntry(TypedDict):
    path: str
    staged: str
    unstaged: str
    tracked: bool


class BranchInfo(TypedDict):
    name: str
    ref: str
    sha: str
    current: bool
    upstream: str | None
    ahead: int | None
    behind: int | None


class DiffSummary(TypedDict):
    added: list[str]
    modified: list[str]
    deleted: list[str]
    renamed: list[dict[str, str]]


class RepositoryState(TypedDict):
    currentBranch: str | None
    isDirty: bool
    remoteUrl: str | None
    description: str | None
    createdAt: datetime
    lastModified: datetime


class Blob(TypedDict):
    data: bytes
    sha: str


# -- failures ---------------------------------------------------------------------------------------------

@contextmanager
def _failures(message: str, path: Path) -> Iterator[None]:
    """Turn what libgit2 or the file system raised into the project's exceptions (see the docstring)."""
    try:
        yield
    except ApiError:
        raise
    except (pygit2.GitError, OSError) as exc:
        text = str(exc)
        if "lock" in text.lower():
            # Another git process (the CLI in the sandbox, a crashed one's index.lock) holds the file.
            logger.warning("git: %s, %s is locked: %s", message, path, text)
            raise Conflict("Repository is busy",
                           details="Another git operation is using the repository; try again") from None
        logger.error("git: %s in %s: %s", message, path, text)
        raise ApiError(message, status_code=500) from None


def file_too_large(max_bytes: int, what: str = "file") -> ApiError:
    return ApiError("File too large", details=f"The {what} is larger than {max_bytes} bytes", status_code=413)


def _open(path: Path) -> pygit2.Repository:
    # NO_SEARCH: a missing .git must never make libgit2 find a repository in a parent folder.
    return pygit2.Repository(str(path), enums.RepositoryOpenFlag.NO_SEARCH)


def is_repository(path: Path) -> bool:
    return (path / ".git").is_dir()


def opens(path: Path) -> bool:
    """Whether libgit2 opens `path` as a repository with a working tree (not just a folder named .git)."""
    try:
        return not _open(path).is_bare
    except (pygit2.GitError, OSError, KeyError):
        return False


def config_get(path: Path, key: str) -> str | None:
    """A value of the repository's own config (.git/config), or None."""
    with _failures("Failed to read repository", path):
        try:
            return _open(path).config[key]
        except KeyError:
            return None


def config_set(path: Path, key: str, value: str) -> None:
    with _failures("Failed to write repository", path):
        _open(path).config[key] = value


def is_valid_branch_name(name: str) -> bool:
    return bool(name) and "\x00" not in name and pygit2.reference_is_valid_name(f"refs/heads/{name}")


# -- lifecycle ---------------------------------------------------------------------------------------------

def init(path: Path, *, branch: str, description: str | None, files: dict[str, bytes] | None, message: str,
         author: tuple[str, str]) -> None:
    """A new repository at `path` on `branch`. With `files` (even `{}`), they are written, staged and
    committed; with None, the repository has no commit yet."""
    with _failures("Failed to create repository", path):
        repo = pygit2.init_repository(str(path), initial_head=branch)
        _stamp_created(repo)
        if description:
            (Path(repo.path) / "description").write_text(description + "\n", encoding="utf-8")
        if files is not None:
            for relative, content in files.items():
                target = path / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                repo.index.add(relative)
            repo.index.write()
            _commit(repo, message=message, author=author)


class _AuthRejectedError(Exception):
    pass


class _TimedOutError(Exception):
    pass


class _TooLargeError(Exception):
    pass


class _CloneCallbacks(pygit2.RemoteCallbacks):
    """Credentials offered once (libgit2 would replay refused ones), a deadline and a size limit.

    An exception raised in a callback aborts the transfer; pygit2 re-raises it from `clone_repository`.
    """

    def __init__(self, *, auth: tuple[str, str] | None, deadline: float, max_bytes: int):
        super().__init__()
        self._auth = auth
        self._deadline = deadline
        self._max_bytes = max_bytes

    def credentials(self, url, username_from_url, allowed_types):
        if self._auth is None:
            raise _AuthRejectedError()
        auth, self._auth = self._auth, None
        return pygit2.UserPass(*auth)

    def sideband_progress(self, string):
        if time.monotonic() > self._deadline:
            raise _TimedOutError()

    def transfer_progress(self, stats):
        if time.monotonic() > self._deadline:
            raise _TimedOutError()
        if stats.received_bytes > self._max_bytes:
            raise _TooLargeError()


def clone(url: str, path: Path, *, auth: tuple[str, str] | None, branch: str | None, depth: int | None,
          timeout: float, idle_timeout: float, max_bytes: int) -> None:
    """Clone `url` into `path` (which must not exist). On failure libgit2 may leave files at `path`:
    the caller clones into a scratch folder and removes it. `auth` is (username, secret), used once and
    kept nowhere: not in the remote URL, not in the config, not in a log line."""
    message = "Failed to clone repository"
    # Process-wide libgit2 options: the bound on a silent server (connect, then each read).
    pygit2.settings.server_connect_timeout = int(idle_timeout * 1000)
    pygit2.settings.server_timeout = int(idle_timeout * 1000)
    callbacks = _CloneCallbacks(auth=auth, deadline=time.monotonic() + timeout, max_bytes=max_bytes)
    try:
        repo = pygit2.clone_repository(url, str(path), callbacks=callbacks, checkout_branch=branch,
                                       depth=depth or 0)
    except _AuthRejectedError:
        raise InvalidRequest(message,
                             details="Authentication failed, or the repository does not exist") from None
    except _TimedOutError:
        raise ApiError(message, details=f"The clone took longer than {timeout:g} seconds",
                       status_code=504) from None
    except _TooLargeError:
        raise ApiError(message, details=f"The repository is larger than {max_bytes} bytes",
                       status_code=413) from None
    except (pygit2.GitError, OSError) as exc:
        text = str(exc)
        logger.warning("git: clone of %s failed: %s", url, text)
        if "timed out" in text:
            raise ApiError(message, details="The remote server stopped answering", status_code=504) from None
        if branch and "not found" in text and "refs/remotes/" in text:
            raise InvalidRequest(message, details="branch: not found in the remote repository") from None
        if "404" in text or "not found" in text:
            raise InvalidRequest(message, details="The remote repository was not found") from None
        raise ApiError(message, details="The remote repository could not be read", status_code=502) from None
    with _failures(message, path):
        _stamp_created(repo)


def _stamp_created(repo: pygit2.Repository) -> None:
    # Linux file systems do not expose a folder's creation time to Python: the repository keeps its own.
    repo.config[CREATED_KEY] = iso_datetime(datetime.now(timezone.utc))


def state(path: Path) -> RepositoryState:
    """What the contract's Repository object says about a repository, besides its name and path."""
    with _failures("Failed to read repository", path):
        repo = _open(path)
        git_dir = Path(repo.path)
        try:
            created = datetime.fromisoformat(repo.config[CREATED_KEY])
        except (KeyError, ValueError):  # made by another tool (an imported legacy repository)
            created = datetime.fromtimestamp(git_dir.stat().st_mtime, timezone.utc)
        # The latest of: the last commit, the last staging, the last entry added to or removed from the root.
        moments = [created, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)]
        if (git_dir / "index").exists():
            moments.append(datetime.fromtimestamp((git_dir / "index").stat().st_mtime, timezone.utc))
        if not repo.head_is_unborn:
            moments.append(datetime.fromtimestamp(repo.head.peel(pygit2.Commit).commit_time, timezone.utc))
        try:
            remote_url = repo.remotes["origin"].url
        except KeyError:
            remote_url = None
        return {"currentBranch": _current_branch(repo),
                "isDirty": bool(repo.status(untracked_files="normal", ignored=False)),
                "remoteUrl": remote_url, "description": _description(git_dir), "createdAt": created,
                "lastModified": max(moments)}


def _description(git_dir: Path) -> str | None:
    try:
        text = (git_dir / "description").read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return None
    return text if text and not text.startswith(DEFAULT_DESCRIPTION_PREFIX) else None


def _current_branch(repo: pygit2.Repository) -> str | None:
    """The branch HEAD names (also before the first commit); None when HEAD is detached."""
    if repo.head_is_detached:
        return None
    target = repo.lookup_reference("HEAD").target
    return target.removeprefix("refs/heads/") if isinstance(target, str) else None


# -- reading -----------------------------------------------------------------------------------------------

def _resolve_commit(repo: pygit2.Repository, ref: str) -> pygit2.Commit | None:
    """The commit `ref` names; None for HEAD before the first commit; 404 for anything unknown."""
    if ref == "HEAD" and repo.head_is_unborn:
        return None
    if "\x00" in ref:
        raise NotFound("Ref not found")
    try:
        return repo.revparse_single(ref).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        raise NotFound("Ref not found") from None


def list_tree(path: Path, *, directory: str, ref: str) -> list[FileEntry] | None:
    """The entries of `directory` at `ref`, in git's order; [] when it is not a directory there; None
    when HEAD has no commit yet (the caller lists the working tree)."""
    with _failures("Failed to list files", path):
        repo = _open(path)
        commit = _resolve_commit(repo, ref)
        if commit is None:
            return None
        tree = commit.tree
        if directory:
            try:
                tree = tree[directory]
            except KeyError:
                return []
            if not isinstance(tree, pygit2.Tree):
                return []
        return _tree_entries(tree, f"{directory}/" if directory else "")


# A tree's id is the hash of its content, so its listing never goes stale: the last listings are kept
# (reading a 10,000-entry tree through pygit2 costs tens of milliseconds). A hit needs the tree's id,
# which only a caller whose own repository holds that tree can have.
_LISTINGS_KEPT = 64
_listings: OrderedDict[tuple[str, str], list[FileEntry]] = OrderedDict()
_listings_lock = threading.Lock()


def _tree_entries(tree: pygit2.Tree, prefix: str) -> list[FileEntry]:
    """The entries of `tree`, paths starting with `prefix`. The list is shared: callers must not change it."""
    key = (str(tree.id), prefix)
    with _listings_lock:
        if key in _listings:
            _listings.move_to_end(key)
            return _listings[key]
    entries: list[FileEntry] = []
    for entry in tree:
        mode = entry.filemode
        entries.append({"name": entry.name, "path": prefix + entry.name,
                        "type": TYPES_BY_MODE.get(mode, "file"), "mode": f"{mode:06o}", "sha": str(entry.id)})
    with _listings_lock:
        _listings[key] = entries
        if len(_listings) > _LISTINGS_KEPT:
            _listings.popitem(last=False)
    return entries


def read_blob(path: Path, *, file_path: str, ref: str, max_bytes: int) -> Blob | None:
    """The file at `ref` (a symlink's blob is its target text); None when `ref` does not hold it."""
    with _failures("Failed to read file", path):
        repo = _open(path)
        commit = _resolve_commit(repo, ref)
        if commit is None:
            return None
        try:
            obj = commit.tree[file_path]
        except KeyError:
            return None
        if isinstance(obj, pygit2.Tree):
            raise InvalidRequest(details="path: is a directory")
        if not isinstance(obj, pygit2.Blob):  # a submodule's commit
            return None
        if obj.size > max_bytes:
            raise file_too_large(max_bytes)
        return {"data": obj.data, "sha": str(obj.id)}


def status(path: Path) -> list[FileStatusEntry]:
    """Changed, staged and untracked files (not ignored ones), by path. Unchanged files are left out."""
    with _failures("Failed to get status", path):
        repo = _open(path)
        files: list[FileStatusEntry] = []
        for file_path, flags in sorted(repo.status(untracked_files="all", ignored=False).items()):
            staged = next((name for flag, name in STAGED_FLAGS if flags & flag), "unmodified")
            unstaged = next((name for flag, name in UNSTAGED_FLAGS if flags & flag), "unmodified")
            files.append({"path": file_path, "staged": staged, "unstaged": unstaged,
                          "tracked": not (flags & enums.FileStatus.WT_NEW)})
        return files


def log(path: Path, *, ref: str, limit: int) -> list[CommitInfo]:
    """Up to `limit` commits reachable from `ref`, newest first ([] before the first commit)."""
    with _failures("Failed to get log", path):
        repo = _open(path)
        commit = _resolve_commit(repo, ref)
        if commit is None:
            return []
        # SortMode.NONE is git's default order (reverse chronological) and streams: a 20-commit page of a
        # long history reads 20 commits, not the whole history.
        return [_commit_info(c) for c in islice(repo.walk(commit.id, enums.SortMode.NONE), limit)]


def commit_get(path: Path, *, sha: str) -> CommitInfo | None:
    """The commit whose id (or unambiguous prefix of at least 4 hex digits) is `sha`."""
    with _failures("Failed to get commit", path):
        if not 4 <= len(sha) <= 40 or any(c not in "0123456789abcdefABCDEF" for c in sha):
            return None
        repo = _open(path)
        try:
            obj = repo.revparse_single(sha.lower())
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return _commit_info(obj) if isinstance(obj, pygit2.Commit) else None


def _commit_info(commit: pygit2.Commit) -> CommitInfo:
    author = _person(commit.author)
    return {"sha": str(commit.id), "message": commit.raw_message.decode("utf-8", "replace"), "author": author,
            "committer": _person(commit.committer), "parents": [str(p) for p in commit.parent_ids],
            "timestamp": author["timestamp"]}


def _person(signature: pygit2.Signature) -> Person:
    return {"name": signature.raw_name.decode("utf-8", "replace"),
            "email": signature.raw_email.decode("utf-8", "replace"),
            "timestamp": iso_datetime(datetime.fromtimestamp(signature.time, timezone.utc))}


def branches(path: Path) -> tuple[list[BranchInfo], str | None]:
    """Local branches by name, and the current branch (None when HEAD is detached)."""
    with _failures("Failed to list branches", path):
        repo = _open(path)
        current = _current_branch(repo)
        result: list[BranchInfo] = []
        for name in sorted(repo.branches.local):
            branch = repo.branches.local[name]
            try:
                upstream = branch.upstream
            except (KeyError, pygit2.GitError):  # configured, but its remote branch is gone
                upstream = None
            ahead = behind = None
            if upstream is not None:
                ahead, behind = repo.ahead_behind(branch.target, upstream.target)
            result.append({"name": name, "ref": f"refs/heads/{name}", "sha": str(branch.target),
                           "current": name == current and not repo.head_is_unborn,
                           "upstream": upstream.shorthand if upstream is not None else None,
                           "ahead": ahead, "behind": behind})
        return result, current


def diff(path: Path, *, from_ref: str, to_ref: str | None) -> DiffSummary:
    """Files added, modified, deleted and renamed from `from_ref` to `to_ref` (the working tree, untracked
    files included, when `to_ref` is None)."""
    with _failures("Failed to get diff", path):
        repo = _open(path)
        base = _resolve_commit(repo, from_ref)
        # Before the first commit, everything is compared with the empty tree.
        base_tree = base.tree if base is not None else repo[repo.TreeBuilder().write()]
        if to_ref is None:
            changes = base_tree.diff_to_workdir(
                enums.DiffOption.INCLUDE_UNTRACKED | enums.DiffOption.RECURSE_UNTRACKED_DIRS)
        else:
            target = _resolve_commit(repo, to_ref)
            changes = (base_tree.diff_to_tree(target.tree) if target is not None
                       else base_tree.diff_to_tree(repo[repo.TreeBuilder().write()]))
        changes.find_similar(enums.DiffFind.FIND_RENAMES | enums.DiffFind.FIND_FOR_UNTRACKED)
        summary: DiffSummary = {"added": [], "modified": [], "deleted": [], "renamed": []}
        for delta in changes.deltas:
            if delta.status in ADDED_DELTAS:
                summary["added"].append(delta.new_file.path)
            elif delta.status in (enums.DeltaStatus.MODIFIED, enums.DeltaStatus.TYPECHANGE):
                summary["modified"].append(delta.new_file.path)
            elif delta.status == enums.DeltaStatus.DELETED:
                summary["deleted"].append(delta.old_file.path)
            elif delta.status == enums.DeltaStatus.RENAMED:
                summary["renamed"].append({"from": delta.old_file.path, "to": delta.new_file.path})
        return summary


# -- writing (callers hold the repository's lock) ------------------------------------------------------------

def stage(path: Path, *, paths: list[str] | None) -> None:
    """Stage the working tree's state of `paths` (files or directories), or of everything when None:
    new and changed files are added, files gone from the working tree are removed from the index."""
    with _failures("Failed to stage files", path):
        repo = _open(path)
        index = repo.index
        if paths is None:
            index.add_all()
            for file_path, flags in repo.status(untracked_files="no").items():
                if flags & enums.FileStatus.WT_DELETED:
                    index.remove(file_path)
        else:
            for relative in paths:
                target = path / relative
                if target.is_dir() and not target.is_symlink():
                    index.add_all([relative])
                elif target.is_symlink() or target.exists():
                    index.add(relative)
                elif relative in index:
                    index.remove(relative)
                else:  # a directory gone from the working tree: its files
                    index.remove_all([relative])
        index.write()


def is_tracked(path: Path, *, file_path: str) -> bool:
    """Whether the index holds `file_path`."""
    with _failures("Failed to read the index", path):
        return file_path in _open(path).index


def commit(path: Path, *, message: str, author: tuple[str, str]) -> str:
    """Commit the index on the current branch (or detached HEAD); returns the new commit's id."""
    with _failures("Failed to create commit", path):
        return _commit(_open(path), message=message, author=author)


def _commit(repo: pygit2.Repository, *, message: str, author: tuple[str, str]) -> str:
    signature = pygit2.Signature(*author)
    tree = repo.index.write_tree()
    parents = [] if repo.head_is_unborn else [repo.head.target]
    try:
        return str(repo.create_commit("HEAD", signature, signature, message, tree, parents))
    except pygit2.GitError as exc:
        # libgit2 moves the branch only if it still points at our parent: someone else committed first.
        if "current tip is not the first parent" in str(exc):
            raise Conflict("Repository changed during the commit", details="Try again") from None
        raise


def branch_create(path: Path, *, name: str, ref: str) -> None:
    with _failures("Failed to create branch", path):
        repo = _open(path)
        if name in repo.branches.local:
            raise Conflict("Branch already exists")
        target = _resolve_commit(repo, ref)
        if target is None:
            raise Conflict("The repository has no commits yet")
        repo.branches.local.create(name, target)


def branch_delete(path: Path, *, name: str) -> None:
    with _failures("Failed to delete branch", path):
        repo = _open(path)
        branch = repo.branches.local.get(name)
        if branch is None:
            raise NotFound("Branch not found")
        if branch.is_head():
            raise Conflict("Cannot delete the current branch")
        branch.delete()


def checkout(path: Path, *, ref: str) -> None:
    """Switch to the local branch `ref`, or detach HEAD at the commit `ref` names. Local changes that
    the switch would overwrite make it a 409, and nothing changes."""
    with _failures("Failed to checkout", path):
        repo = _open(path)
        branch = repo.branches.local.get(ref) if is_valid_branch_name(ref) else None
        try:
            if branch is not None:
                repo.checkout(branch)
            else:
                target = _resolve_commit(repo, ref)
                if target is None:
                    raise NotFound("Ref not found")
                repo.checkout_tree(target)
                repo.set_head(target.id)
        except pygit2.GitError as exc:
            if "conflict" not in str(exc):
                raise
            logger.info("git: checkout of %s in %s refused: %s", ref, path, exc)
            raise Conflict("Checkout would overwrite local changes",
                           details="Commit or discard the changes first") from None
