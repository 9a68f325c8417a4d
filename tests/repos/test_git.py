"""repos.git: pygit2 against real repositories, and clones over the real smart-HTTP protocol."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.api.errors import ApiError, Conflict, InvalidRequest, NotFound
from repos import git

from .conftest import TOKEN, fsck, make_source, run_git

AUTHOR = ("Ada", "ada@example.com")
CLONE_LIMITS = {"timeout": 30, "idle_timeout": 5, "max_bytes": 50 * 1024 * 1024}


def new_repo(path: Path, files: dict[str, bytes] | None = None) -> Path:
    git.init(path, branch="main", description=None, files=files, message="Initial commit", author=AUTHOR)
    return path


def test_libgit2_is_loaded_when_repos_git_is_first_used_not_when_django_starts():
    """Every process sets Django up, and most never touch a repository (the legacy import, with its
    memory budget, the sync worker): pygit2 comes with the first name asked of `repos.git`."""
    code = ("import sys, django; django.setup(); assert 'pygit2' not in sys.modules, 'loaded by setup'; "
            "from repos import git; git.init; assert 'pygit2' in sys.modules, 'not loaded on use'")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_init_with_files_makes_one_commit_the_git_cli_accepts(tmp_path):
    repo = new_repo(tmp_path / "r", {"README.md": b"# r\n", "src/app.py": b"print()\n"})
    assert run_git(repo, "log", "--format=%an <%ae> %s").strip() == "Ada <ada@example.com> Initial commit"
    assert run_git(repo, "ls-files").split() == ["README.md", "src/app.py"]
    assert run_git(repo, "status", "--porcelain") == ""
    fsck(repo)


def test_init_without_files_has_no_commit_and_an_unborn_main(tmp_path):
    repo = new_repo(tmp_path / "r")
    assert git.log(repo, ref="HEAD", limit=10) == []
    assert git.list_tree(repo, directory="", ref="HEAD") is None
    assert git.branches(repo) == ([], "main")
    state = git.state(repo)
    assert (state["currentBranch"], state["isDirty"], state["remoteUrl"]) == ("main", False, None)


def test_state_reads_what_other_tools_made(tmp_path):
    source = make_source(tmp_path / "cli", {"a.txt": "a"})
    (source / "b.txt").write_text("untracked")
    state = git.state(source)
    assert state["currentBranch"] == "main" and state["isDirty"] is True and state["description"] is None


def test_unknown_refs_are_404(tmp_path):
    repo = new_repo(tmp_path / "r", {"a": b"a"})
    for call in (lambda: git.log(repo, ref="nope", limit=1),
                 lambda: git.list_tree(repo, directory="", ref="x~9"),
                 lambda: git.read_blob(repo, file_path="a", ref="HEAD:a", max_bytes=10),
                 lambda: git.diff(repo, from_ref="HEAD", to_ref="missing")):
        with pytest.raises(NotFound) as error:
            call()
        assert error.value.body() == {"error": "Ref not found"}


def test_commit_refuses_while_another_git_process_holds_the_index(tmp_path):
    repo = new_repo(tmp_path / "r", {"a": b"a"})
    (repo / "a").write_text("changed")
    (repo / ".git" / "index.lock").write_text("")  # the sandbox's git, or a crashed one
    with pytest.raises(Conflict) as error:
        git.stage(repo, paths=None)
    assert error.value.body() == {"error": "Repository is busy",
                                  "details": "Another git operation is using the repository; try again"}
    os.remove(repo / ".git" / "index.lock")
    git.stage(repo, paths=None)
    fsck(repo)


def test_a_broken_repository_is_a_500_with_the_contract_message_and_gits_text_in_the_log(tmp_path, caplog):
    repo = new_repo(tmp_path / "r", {"a": b"a"})
    (repo / ".git" / "HEAD").write_text("garbage")
    with pytest.raises(ApiError) as error:
        git.status(repo)
    assert (error.value.status_code, error.value.body()) == (500, {"error": "Failed to get status"})
    assert "Failed to get status" in caplog.text and str(repo) in caplog.text


def test_diff_reports_renames_between_commits_and_untracked_files_against_the_working_tree(tmp_path):
    repo = new_repo(tmp_path / "r", {"keep.txt": b"same\n", "old.txt": b"a long enough text to rename\n" * 5,
                                     "gone.txt": b"bye\n"})
    first = git.log(repo, ref="HEAD", limit=1)[0]["sha"]
    os.rename(repo / "old.txt", repo / "new.txt")
    os.remove(repo / "gone.txt")
    (repo / "keep.txt").write_text("changed\n")
    (repo / "fresh").mkdir()
    (repo / "fresh" / "f.txt").write_text("new\n")
    assert git.diff(repo, from_ref="HEAD", to_ref=None) == {
        "added": ["fresh/f.txt"], "modified": ["keep.txt"], "deleted": ["gone.txt"],
        "renamed": [{"from": "old.txt", "to": "new.txt"}]}
    git.stage(repo, paths=None)
    second = git.commit(repo, message="Second", author=AUTHOR)
    assert git.diff(repo, from_ref=first, to_ref=second) == git.diff(repo, from_ref=first, to_ref=None)


def test_clone_over_smart_http_with_a_token_keeps_no_credential(git_server, tmp_path, caplog):
    make_source(git_server.root / "project", {"README.md": "# project\n"}, commits=3)
    target = tmp_path / "clone"
    git.clone(git_server.url("project"), target, auth=("x-access-token", TOKEN), branch=None, depth=None,
              **CLONE_LIMITS)
    assert (target / "README.md").read_text() == "# project\n"
    assert len(git.log(target, ref="HEAD", limit=10)) == 3
    assert git.state(target)["remoteUrl"] == git_server.url("project")
    assert any(r.startswith("POST") for r in git_server.requests)  # the smart protocol, not dumb HTTP
    for config_file in (target / ".git").rglob("*"):
        if config_file.is_file():
            assert TOKEN.encode() not in config_file.read_bytes(), config_file
    assert TOKEN not in caplog.text
    fsck(target)


def test_clone_with_depth_and_branch(git_server, tmp_path):
    source = make_source(git_server.root / "project", {"a": "a"}, commits=4)
    run_git(source, "checkout", "-q", "-b", "dev")
    (source / "dev.txt").write_text("dev")
    run_git(source, "add", "-A")
    run_git(source, "commit", "-q", "-m", "On dev")
    target = tmp_path / "clone"
    git.clone(git_server.url("project"), target, auth=("x-access-token", TOKEN), branch="dev", depth=1,
              **CLONE_LIMITS)
    # The CLI ends messages with a newline; the API keeps them as they are.
    assert [c["message"] for c in git.log(target, ref="HEAD", limit=10)] == ["On dev\n"]
    assert git.state(target)["currentBranch"] == "dev"


@pytest.mark.parametrize("auth", [("x-access-token", "wrong-token"), None])
def test_clone_with_refused_credentials_is_a_400_that_names_no_credential(git_server, tmp_path, auth, caplog):
    make_source(git_server.root / "project", {"a": "a"})
    target = tmp_path / "clone"
    with pytest.raises(InvalidRequest) as error:
        git.clone(git_server.url("project"), target, auth=auth, branch=None, depth=None, **CLONE_LIMITS)
    assert error.value.body() == {"error": "Failed to clone repository",
                                  "details": "Authentication failed, or the repository does not exist"}
    assert "wrong-token" not in caplog.text


def test_clone_of_a_missing_remote_repository_or_branch_is_a_400(git_server, tmp_path):
    make_source(git_server.root / "project", {"a": "a"})
    with pytest.raises(InvalidRequest) as error:
        git.clone(git_server.url("project"), tmp_path / "c1", auth=("x-access-token", TOKEN), branch="nope",
                  depth=None, **CLONE_LIMITS)
    assert error.value.details == "branch: not found in the remote repository"
    with pytest.raises(InvalidRequest) as error:
        git.clone(git_server.url("missing"), tmp_path / "c2", auth=("x-access-token", TOKEN), branch=None,
                  depth=None, **CLONE_LIMITS)
    assert error.value.details == "The remote repository was not found"


def test_clone_from_a_server_that_dies_mid_pack_is_a_502(git_server, tmp_path):
    make_source(git_server.root / "project", {f"f{n}": os.urandom(4000) for n in range(40)})
    git_server.cut_pack_after = 5000
    with pytest.raises(ApiError) as error:
        git.clone(git_server.url("project"), tmp_path / "clone", auth=("x-access-token", TOKEN), branch=None,
                  depth=None, **CLONE_LIMITS)
    assert (error.value.status_code, error.value.body()) == (
        502, {"error": "Failed to clone repository", "details": "The remote repository could not be read"})


def test_clone_larger_than_the_limit_is_a_413(git_server, tmp_path):
    make_source(git_server.root / "project", {f"f{n}": os.urandom(10_000) for n in range(20)})
    limits = {**CLONE_LIMITS, "max_bytes": 50_000}
    with pytest.raises(ApiError) as error:
        git.clone(git_server.url("project"), tmp_path / "clone", auth=("x-access-token", TOKEN), branch=None,
                  depth=None, **limits)
    assert (error.value.status_code, error.value.body()) == (
        413, {"error": "Failed to clone repository", "details": "The repository is larger than 50000 bytes"})


def test_clone_from_a_server_that_never_answers_times_out(silent_server, tmp_path):
    limits = {**CLONE_LIMITS, "idle_timeout": 0.5}
    with pytest.raises(ApiError) as error:
        git.clone(silent_server, tmp_path / "clone", auth=None, branch=None, depth=None, **limits)
    assert (error.value.status_code, error.value.body()) == (
        504, {"error": "Failed to clone repository", "details": "The remote server stopped answering"})


def test_clone_past_the_overall_deadline_times_out(git_server, tmp_path):
    make_source(git_server.root / "project", {"a": "a"})
    limits = {**CLONE_LIMITS, "timeout": 0}
    with pytest.raises(ApiError) as error:
        git.clone(git_server.url("project"), tmp_path / "clone", auth=("x-access-token", TOKEN), branch=None,
                  depth=None, **limits)
    assert (error.value.status_code, error.value.details) == (504, "The clone took longer than 0 seconds")


def test_clone_from_a_local_path(tmp_path):
    source = make_source(tmp_path / "source", {"a.txt": "local"}, commits=2)
    git.clone(str(source), tmp_path / "clone", auth=None, branch=None, depth=None, **CLONE_LIMITS)
    assert (tmp_path / "clone" / "a.txt").read_text() == "local"
    assert git.state(tmp_path / "clone")["remoteUrl"] == str(source)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a folder's owner needs root")
def test_a_repository_owned_by_another_uid_is_read_and_written(tmp_path):
    """A sandbox's container may write its workspace as another uid (see the module docstring)."""
    repo = new_repo(tmp_path / "r", {"a.txt": b"a"})
    (repo / "b.txt").write_text("b")
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 4321, 4321, follow_symlinks=False)
    assert [f["path"] for f in git.status(repo)] == ["b.txt"]
    git.stage(repo, paths=None)
    git.commit(repo, message="Add b", author=AUTHOR)
    assert [c["message"] for c in git.log(repo, ref="HEAD", limit=5)] == ["Add b", "Initial commit"]
    run_git(repo, "-c", "safe.directory=*", "fsck", "--full", "--strict")  # the git CLI has the check too


def test_config_values_and_what_opens_as_a_repository(tmp_path):
    repo = new_repo(tmp_path / "r")
    assert git.config_get(repo, "agentpod.importedfrom") is None
    git.config_set(repo, "agentpod.importedfrom", "sandbox-1")
    assert git.config_get(repo, "agentpod.importedfrom") == "sandbox-1"
    assert run_git(repo, "config", "agentpod.importedfrom").strip() == "sandbox-1"
    assert git.opens(repo)
    (tmp_path / "fake" / ".git").mkdir(parents=True)
    assert not git.opens(tmp_path / "fake") and not git.opens(tmp_path / "missing")
    run_git(tmp_path, "init", "-q", "--bare", "bare.git")
    assert not git.opens(tmp_path / "bare.git")
