"""repos.services and repos.selectors on real repositories: ownership, clones that leave nothing behind,
path escapes through symlinks, and concurrent commits."""

import logging
import os
import threading

import pytest

from core.api.errors import ApiError, Conflict, InvalidRequest, NotFound
from repos import selectors, services
from repos.paths import user_root

from .conftest import TOKEN, fsck, make_source, run_git

pytestmark = pytest.mark.django_db


def leftovers(user) -> list[str]:
    """What the user's folder holds besides the lock files."""
    root = user_root(user)
    return sorted(p.name for p in root.iterdir() if p.name != ".locks") if root.exists() else []


def test_init_returns_the_repository_and_commits_the_files(user):
    repository = services.repository_init(user=user, name="demo", message="Start", description="A demo",
                                          files={"README.md": "# demo\n", "a/b.txt": "b"})
    path = user_root(user) / "demo"
    assert repository == {**repository, "name": "demo", "path": str(path), "currentBranch": "main",
                          "isDirty": False, "remoteUrl": None, "description": "A demo"}
    assert repository["createdAt"].endswith("Z") and repository["lastModified"] >= repository["createdAt"]
    assert [c["message"] for c in selectors.repository_log(user=user, name="demo")] == ["Start"]
    assert selectors.repository_path(user=user, name="demo") == path
    assert leftovers(user) == ["demo"]
    fsck(path)


def test_init_refuses_an_existing_name_a_reserved_name_and_a_bad_branch(user):
    services.repository_init(user=user, name="demo")
    with pytest.raises(Conflict) as error:
        services.repository_init(user=user, name="demo", files={"x": "y"})
    assert error.value.body() == {"error": "Repository already exists"}
    with pytest.raises(InvalidRequest) as error:
        services.repository_init(user=user, name="clone")
    assert error.value.details == 'name: "clone" is reserved'
    with pytest.raises(InvalidRequest) as error:
        services.repository_init(user=user, name="other", default_branch="bad..branch")
    assert error.value.details == "defaultBranch: is not a valid branch name"
    with pytest.raises(InvalidRequest):
        services.repository_init(user=user, name="other", files={"../escape": "x"})
    assert leftovers(user) == ["demo"]


def test_an_empty_template_still_makes_an_initial_commit(user):
    services.repository_create(user=user, name="demo", template={})
    assert selectors.repository_files(user=user, name="demo") == []
    assert [c["message"] for c in selectors.repository_log(user=user, name="demo")] == ["Initial commit"]


def test_another_users_repository_is_not_found(user, other_user):
    services.repository_init(user=other_user, name="theirs", files={"secret.txt": "s"})
    for call in (lambda: selectors.repository_get(user=user, name="theirs"),
                 lambda: selectors.repository_file(user=user, name="theirs", path="secret.txt"),
                 lambda: services.repository_delete(user=user, name="theirs"),
                 lambda: services.repository_file_write(user=user, name="theirs", path="x", content="x")):
        with pytest.raises(NotFound) as error:
            call()
        assert error.value.body() == {"error": "Repository not found"}
    assert selectors.repository_list(user=user) == []
    assert [r["name"] for r in selectors.repository_list(user=other_user)] == ["theirs"]


def test_delete_removes_everything(user):
    services.repository_init(user=user, name="demo", files={"a": "a"})
    services.repository_delete(user=user, name="demo")
    assert leftovers(user) == []
    with pytest.raises(NotFound):
        services.repository_delete(user=user, name="demo")


# -- paths through symlinks ------------------------------------------------------------------------

@pytest.fixture
def linked(user):
    """A repository whose history holds symlinks to /etc, to /etc/passwd and to a folder inside it."""
    services.repository_init(user=user, name="linked", files={"src/app.py": "print()\n"})
    root = selectors.repository_path(user=user, name="linked")
    os.symlink("/etc", root / "etc")
    os.symlink("/etc/passwd", root / "passwd")
    os.symlink("src", root / "code")
    services.repository_commit(user=user, name="linked", message="Links", stage_all=True)
    return root


def test_a_committed_symlink_is_read_as_git_stores_it_never_followed(user, linked):
    assert selectors.repository_file(user=user, name="linked", path="passwd")["content"] == "/etc/passwd"
    listing = selectors.repository_files(user=user, name="linked")
    entries = {e["name"]: (e["type"], e["mode"]) for e in listing}
    assert entries == {"code": ("symlink", "120000"), "etc": ("symlink", "120000"),
                       "passwd": ("symlink", "120000"), "src": ("directory", "040000")}


@pytest.mark.parametrize("path", ["etc/passwd", "etc/hostname", "etc/../etc/passwd"])
def test_reading_through_a_symlink_that_leaves_is_400(user, linked, path):
    with pytest.raises(InvalidRequest) as error:
        selectors.repository_file(user=user, name="linked", path=path)
    assert error.value.details == "path: must stay inside the repository"


def test_writing_to_a_symlink_that_leaves_is_400(user, linked):
    with pytest.raises(InvalidRequest) as error:
        services.repository_file_write(user=user, name="linked", path="passwd", content="x")
    assert error.value.details == "path: must stay inside the repository"


@pytest.mark.parametrize("path", ["etc/evil", "etc/cron.d/evil"])
def test_writing_through_a_symlinked_directory_that_leaves_is_400(user, linked, path):
    with pytest.raises(InvalidRequest):
        services.repository_file_write(user=user, name="linked", path=path, content="x")
    assert not os.path.exists("/etc/evil")


def test_a_symlink_inside_may_be_used_but_not_written_through(user, linked):
    assert selectors.repository_file(user=user, name="linked", path="code/app.py")["content"] == "print()\n"
    services.repository_file_write(user=user, name="linked", path="code/new.py", content="n")
    assert (linked / "src" / "new.py").read_text() == "n"
    os.symlink("src/app.py", linked / "app-link")
    with pytest.raises(InvalidRequest) as error:
        services.repository_file_write(user=user, name="linked", path="app-link", content="x")
    assert error.value.details == "path: is a symbolic link"


def test_deleting_a_symlink_removes_the_link_not_its_target(user, linked):
    services.repository_file_delete(user=user, name="linked", path="passwd")
    assert not os.path.lexists(linked / "passwd") and os.path.exists("/etc/passwd")
    assert selectors.repository_status(user=user, name="linked") == [
        {"path": "passwd", "staged": "deleted", "unstaged": "unmodified", "tracked": True}]


def test_working_tree_listing_before_the_first_commit_refuses_escapes(user):
    services.repository_init(user=user, name="fresh")
    root = selectors.repository_path(user=user, name="fresh")
    os.symlink("/etc", root / "etc")
    (root / "notes.txt").write_text("n")
    assert selectors.repository_files(user=user, name="fresh") == [
        {"name": "etc", "path": "etc", "type": "symlink", "mode": "120000", "sha": ""},
        {"name": "notes.txt", "path": "notes.txt", "type": "file", "mode": "100644", "sha": ""}]
    with pytest.raises(InvalidRequest):
        selectors.repository_files(user=user, name="fresh", path="etc")


# -- clone -----------------------------------------------------------------------------------------

def test_clone_over_http_with_a_token_leaves_it_nowhere(user, git_server, allow_test_clones, caplog):
    caplog.set_level(logging.DEBUG)
    make_source(git_server.root / "project", {"README.md": "# project\n"}, commits=2)
    repository = services.repository_clone(user=user, name="project", url=git_server.url("project"),
                                           token=TOKEN)
    assert repository["remoteUrl"] == git_server.url("project") and repository["currentBranch"] == "main"
    assert TOKEN not in str(repository) and TOKEN not in caplog.text
    git_dir = user_root(user) / "project" / ".git"
    assert all(TOKEN.encode() not in f.read_bytes() for f in git_dir.rglob("*") if f.is_file())
    assert [b["upstream"] for b in selectors.repository_branches(user=user, name="project")["branches"]] == [
        "origin/main"]
    fsck(git_dir.parent)


@pytest.mark.parametrize("token, cut, status", [("wrong-token", None, 400), (TOKEN, 5000, 502)])
def test_a_failed_clone_leaves_nothing_behind(user, git_server, allow_test_clones, caplog, token, cut,
                                              status):
    make_source(git_server.root / "project", {f"f{n}": os.urandom(4000) for n in range(40)})
    git_server.cut_pack_after = cut
    with pytest.raises(ApiError) as error:
        services.repository_clone(user=user, name="project", url=git_server.url("project"), token=token)
    assert error.value.status_code == status
    assert token not in str(error.value.body()) and token not in caplog.text
    assert leftovers(user) == []


def test_clone_refuses_an_existing_name_without_touching_the_network(user, git_server, allow_test_clones):
    services.repository_init(user=user, name="project")
    with pytest.raises(Conflict):
        services.repository_clone(user=user, name="project", url=git_server.url("project"), token=TOKEN)
    assert git_server.requests == []


def test_clone_from_a_local_path_when_allowed(user, tmp_path, allow_test_clones):
    source = make_source(tmp_path / "source", {"a.txt": "a"})
    services.repository_clone(user=user, name="local", url=str(source))
    assert selectors.repository_file(user=user, name="local", path="a.txt")["content"] == "a"
    with pytest.raises(InvalidRequest) as error:  # libgit2's local transport cannot make a shallow clone
        services.repository_clone(user=user, name="local2", url=f"file://{source}", depth=1)
    assert error.value.details == "depth: is not supported when cloning a local path"


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1:1/x", "url: must be a URL with scheme https"),
    ("/srv/other-users/repo", "url: must be a URL with scheme https"),
    ("file:///etc", "url: must be a URL with scheme https"),
    ("ssh://git@github.com/a/b", "url: must be a URL with scheme https"),
    ("https://user:secret@github.com/a/b", "url: must not contain credentials; send them in auth"),
    ("https:///nohost", "url: must name a host"),
])
def test_clone_urls_production_refuses(user, url, problem):
    with pytest.raises(InvalidRequest) as error:
        services.repository_clone(user=user, name="x", url=url)
    assert error.value.details == problem
    assert leftovers(user) == []


# -- concurrency -----------------------------------------------------------------------------------

def test_concurrent_commits_both_land_and_the_repository_stays_sound(user):
    services.repository_init(user=user, name="busy", files={"README.md": "r"})
    results, errors = [], []
    start = threading.Barrier(2)

    def work(n):
        start.wait()
        try:
            for i in range(10):
                services.repository_file_write(user=user, name="busy", path=f"t{n}/f{i}.txt",
                                               content=f"{n}-{i}")
                results.append(services.repository_commit(user=user, name="busy", message=f"t{n} c{i}"))
        except Conflict as exc:  # the only acceptable failure: a clear 409
            errors.append(exc.body())

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = selectors.repository_log(user=user, name="busy", limit=100)
    assert {c["sha"] for c in log} >= set(results)
    assert len(results) + len(errors) == 20 and len(log) == 1 + len(results)
    root = selectors.repository_path(user=user, name="busy")
    fsck(root)
    assert run_git(root, "status", "--porcelain") == ""


def test_a_write_that_waits_too_long_for_the_lock_is_409(user, settings):
    settings.REPOS_LOCK_TIMEOUT = 0.2
    services.repository_init(user=user, name="busy", files={"a": "a"})
    held, release = threading.Event(), threading.Event()

    def hold():
        with services._locked(user, "busy"):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        with pytest.raises(Conflict) as error:
            services.repository_commit(user=user, name="busy", message="m")
        assert error.value.body() == {
            "error": "Repository is busy",
            "details": "Another change to this repository is in progress; try again"}
    finally:
        release.set()
        holder.join()
    services.repository_commit(user=user, name="busy", message="m")


# -- adopting an existing repository folder (the legacy import) ---------------------------------------------

def test_adopt_copies_marks_and_recognises_its_own_work(user, tmp_path):
    source = make_source(tmp_path / "old" / "app", {"a.txt": "a"}, commits=2)
    (source / "dirty.txt").write_text("not committed")
    assert services.repository_adopt(user=user, name="app", source=source, origin="sb1", dry_run=True) == (
        "would copy")
    assert leftovers(user) == []
    assert services.repository_adopt(user=user, name="app", source=source, origin="sb1") == "copied"
    path = user_root(user) / "app"
    assert (path / "dirty.txt").read_text() == "not committed" and source.is_dir()
    log = selectors.repository_log(user=user, name="app")
    assert [c["message"] for c in log] == ["Commit 1\n", "Commit 0\n"]
    fsck(path)
    assert services.repository_adopt(user=user, name="app", source=source, origin="sb1") == "already in place"
    with pytest.raises(services.RepositoryNotPlaced, match="name clash"):
        services.repository_adopt(user=user, name="app", source=source, origin="another sandbox")
    assert leftovers(user) == ["app"]


def test_adopt_moves(user, tmp_path):
    source = make_source(tmp_path / "old" / "app", {"a.txt": "a"})
    assert services.repository_adopt(user=user, name="app", source=source, origin="sb1", move=True) == "moved"
    assert not source.exists() and leftovers(user) == ["app"]
    # A re-run: the source is gone, the repository is in place.
    assert services.repository_adopt(user=user, name="app", source=source, origin="sb1", move=True) == (
        "already in place")


@pytest.mark.parametrize("make, reason", [
    (lambda path: None, "no such directory"),
    (lambda path: path.mkdir(parents=True), "not a git repository"),
    (lambda path: (path / ".git").mkdir(parents=True), "not a git repository"),
])
def test_adopt_reports_what_it_cannot_place(user, tmp_path, make, reason):
    source = tmp_path / "old" / "app"
    make(source)
    with pytest.raises(services.RepositoryNotPlaced, match=reason):
        services.repository_adopt(user=user, name="app", source=source, origin="sb1")
    with pytest.raises(services.RepositoryNotPlaced, match="not a valid repository name"):
        services.repository_adopt(user=user, name="../app", source=source, origin="sb1")
    assert leftovers(user) == []
