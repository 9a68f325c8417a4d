"""repos.paths: names and file paths a client may use, and the on-disk check against symlinks."""

import os
from types import SimpleNamespace

import pytest

from core.api.errors import InvalidRequest
from repos.paths import normalize_path, repository_dir, resolve_inside, user_root, validate_name


@pytest.mark.parametrize("name", ["a", "my-repo_2", "A" * 100, "sandbox-abc123XYZ_-"])
def test_valid_names(name):
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", "A" * 101, ".", "..", "a.b", "a/b", "a b", "a\x00", "ä", "-\n"])
def test_invalid_names_are_400(name):
    with pytest.raises(InvalidRequest) as error:
        validate_name(name)
    assert error.value.body() == {
        "error": "Invalid request",
        "details": "name: Name can only contain letters, numbers, underscores, and hyphens"}


def test_repository_dir_is_under_the_users_folder(settings, tmp_path):
    user = SimpleNamespace(pk="user-1")
    assert user_root(user) == settings.REPOS_DIR / "user-1"
    assert repository_dir(user, "demo") == settings.REPOS_DIR / "user-1" / "demo"
    for bad in ("..", "a/b", ""):
        with pytest.raises(ValueError):
            user_root(SimpleNamespace(pk=bad))


@pytest.mark.parametrize("raw, clean", [
    ("README.md", "README.md"), ("src/app.py", "src/app.py"), ("./a//b/./c", "a/b/c"), ("a/../b", "b"),
    ("a/b/../../c", "c"), ("dir/", "dir"), (" spaced name ", " spaced name "), ("ü/ñ.txt", "ü/ñ.txt"),
])
def test_normalize_path_accepts_relative_paths_that_stay_inside(raw, clean):
    assert normalize_path(raw) == clean


@pytest.mark.parametrize("raw, problem", [
    ("../x", "must stay inside the repository"),
    ("a/../../x", "must stay inside the repository"),
    ("..", "must stay inside the repository"),
    ("/etc/passwd", "must be relative to the repository"),
    ("//etc/passwd", "must be relative to the repository"),
    ("a\x00b", "must not contain a NUL byte"),
    (".git/config", "must not name the .git directory"),
    ("sub/.GIT/hooks/pre-commit", "must not name the .git directory"),
    ("a/" * 2100, "is longer than 4096 bytes"),
    ("x" * 256, "has a component longer than 255 bytes"),
    ("", "must name a file in the repository"),
    ("a/..", "must name a file in the repository"),
])
def test_normalize_path_refuses_escapes_and_oddities(raw, problem):
    with pytest.raises(InvalidRequest) as error:
        normalize_path(raw)
    assert error.value.body() == {"error": "Invalid request", "details": f"path: {problem}"}


def test_the_root_is_allowed_only_when_asked():
    assert normalize_path("", allow_root=True) == ""
    assert normalize_path("a/..", allow_root=True) == ""


@pytest.fixture
def repo_root(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("x")
    os.symlink("/etc", root / "etc-link")
    os.symlink("/etc/passwd", root / "passwd-link")
    os.symlink("src", root / "src-link")
    os.symlink(".git", root / "git-link")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    return root


def test_resolve_inside_allows_paths_and_symlinks_that_stay_inside(repo_root):
    assert resolve_inside(repo_root, "src/app.py") == repo_root / "src" / "app.py"
    assert resolve_inside(repo_root, "src-link/app.py") == repo_root / "src-link" / "app.py"
    assert resolve_inside(repo_root, "new/file.txt") == repo_root / "new" / "file.txt"
    assert resolve_inside(repo_root, "") == repo_root


@pytest.mark.parametrize("relative, problem", [
    ("etc-link", "must stay inside the repository"),  # a symlinked directory pointing to /etc
    ("etc-link/passwd", "must stay inside the repository"),
    ("etc-link/new-file", "must stay inside the repository"),
    ("passwd-link", "must stay inside the repository"),  # a symlinked file
    ("git-link/config", "must not name the .git directory"),
    ("loop-a", "cannot be resolved inside the repository"),
])
def test_resolve_inside_refuses_symlinks_that_leave(repo_root, relative, problem):
    with pytest.raises(InvalidRequest) as error:
        resolve_inside(repo_root, relative)
    assert error.value.details == f"path: {problem}"


def test_a_link_itself_may_be_named_when_not_followed(repo_root):
    assert resolve_inside(repo_root, "passwd-link", follow_final=False) == repo_root / "passwd-link"
    with pytest.raises(InvalidRequest):
        resolve_inside(repo_root, "etc-link/passwd", follow_final=False)
