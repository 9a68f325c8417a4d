"""`/api/v2/repos`: the 19 endpoints of api-contract 2.13 on real repositories, with DECISIONS 25-27."""

import base64
import os

import pytest

from repos import selectors, services
from repos.paths import user_root
from tests.repos.conftest import TOKEN, fsck, make_source, run_git

pytestmark = pytest.mark.django_db

JSON = "application/json"
README = "# demo\n\nA new AgentPod project.\n"
NOT_FOUND = {"error": "Repository not found"}
UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}

# Every endpoint, with a body that would succeed for the owner of `demo`.
ENDPOINTS = [
    ("get", "/api/v2/repos/demo", None),
    ("delete", "/api/v2/repos/demo", None),
    ("get", "/api/v2/repos/demo/files", None),
    ("get", "/api/v2/repos/demo/file?path=README.md", None),
    ("put", "/api/v2/repos/demo/file", {"path": "x.txt", "content": "x"}),
    ("delete", "/api/v2/repos/demo/file", {"path": "README.md"}),
    ("get", "/api/v2/repos/demo/status", None),
    ("post", "/api/v2/repos/demo/stage", {}),
    ("post", "/api/v2/repos/demo/commit", {"message": "m"}),
    ("get", "/api/v2/repos/demo/log", None),
    ("get", "/api/v2/repos/demo/commit/HEADSHA", None),
    ("get", "/api/v2/repos/demo/branches", None),
    ("post", "/api/v2/repos/demo/branches", {"name": "dev"}),
    ("delete", "/api/v2/repos/demo/branches/dev", None),
    ("post", "/api/v2/repos/demo/checkout", {"ref": "main"}),
    ("get", "/api/v2/repos/demo/diff", None),
]
COLLECTION = [("get", "/api/v2/repos", None), ("post", "/api/v2/repos", {"name": "new"}),
              ("post", "/api/v2/repos/clone", {"name": "c", "url": "https://example.com/a/b.git"})]


def call(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type=JSON)


@pytest.fixture
def demo(user):
    """The caller's `demo`: README.md, .gitignore and src/app.py in two commits, and a branch dev."""
    services.repository_create(user=user, name="demo", template={"readme": True, "gitignore": True})
    services.repository_file_write(user=user, name="demo", path="src/app.py", content="print('hi')\n")
    services.repository_commit(user=user, name="demo", message="Add app", author=("Ada", "ada@example.com"))
    services.repository_branch_create(user=user, name="demo", branch="dev")
    return selectors.repository_path(user=user, name="demo")


def head(user) -> str:
    return selectors.repository_log(user=user, name="demo", limit=1)[0]["sha"]


# -- who may call ----------------------------------------------------------------------------------

def test_anonymous_callers_get_401_everywhere(client, demo):
    for method, url, body in ENDPOINTS + COLLECTION:
        response = call(client, method, url, body)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), (method, url)


def test_the_service_token_gets_403_everywhere(service_api, demo):
    for method, url, body in ENDPOINTS + COLLECTION:
        response = call(service_api, method, url, body)
        assert (response.status_code, response.json()) == (403, {"error": "Forbidden"}), (method, url)


def test_another_users_repository_is_exactly_a_missing_one(other_api, api, user, demo):
    before = run_git(demo, "log", "--all", "--format=%H")
    for client in (other_api, api):
        for method, url, body in ENDPOINTS:
            url = url.replace("HEADSHA", head(user))
            if client is api:
                url = url.replace("/demo", "/nothere")
            response = call(client, method, url, body)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, url)
    assert call(other_api, "get", "/api/v2/repos").json() == {"repositories": [], "count": 0}
    assert run_git(demo, "log", "--all", "--format=%H") == before
    assert (demo / "README.md").exists() and not (demo / "x.txt").exists()


@pytest.mark.parametrize("name", ["bad.name", "a%20b", "x" * 101, "%2e%2e"])
def test_a_malformed_name_is_400_on_every_endpoint(api, name):
    for method, url, body in ENDPOINTS:
        response = call(api, method, url.replace("/demo", f"/{name}"), body)
        assert response.status_code in (400, 404), (method, url)
        if response.status_code == 400:
            assert response.json() == {"error": "Invalid request", "details": "name: Name can only contain "
                                       "letters, numbers, underscores, and hyphens"}


# -- the collection --------------------------------------------------------------------------------

def test_list_shows_only_the_callers_repositories_by_name(api, user, other_user, demo):
    services.repository_init(user=user, name="alpha")
    services.repository_init(user=other_user, name="zeta")
    (user_root(user) / "not-a-repo").mkdir()
    body = api.get("/api/v2/repos").json()
    assert body == {"repositories": [selectors.repository_get(user=user, name="alpha"),
                                     selectors.repository_get(user=user, name="demo")], "count": 2}


def test_create_with_a_template(api, user):
    response = api.post("/api/v2/repos", {
        "name": "demo", "description": "My project", "defaultBranch": "trunk",
        "template": {"readme": True, "gitignore": "*.log\n", "agentpodConfig": True}}, content_type=JSON)
    assert response.status_code == 201
    repository = response.json()["repository"]
    path = user_root(user) / "demo"
    assert repository == {"name": "demo", "path": str(path), "createdAt": repository["createdAt"],
                          "lastModified": repository["lastModified"], "currentBranch": "trunk",
                          "isDirty": False, "remoteUrl": None, "description": "My project"}
    assert repository == api.get("/api/v2/repos/demo").json()["repository"]
    assert (path / "README.md").read_text() == README
    assert (path / ".gitignore").read_text() == "*.log\n"
    assert (path / "agentpod.toml").read_text() == '# AgentPod configuration\n\n[project]\nname = "demo"\n'
    # .gitignore is committed too (the old server's file filter skipped it).
    assert run_git(path, "ls-files").split() == [".gitignore", "README.md", "agentpod.toml"]
    fsck(path)


def test_create_without_a_template_has_no_commit(api, user):
    assert api.post("/api/v2/repos", {"name": "empty"}, content_type=JSON).status_code == 201
    assert api.get("/api/v2/repos/empty/log").json() == {"commits": []}
    assert api.get("/api/v2/repos/empty/files").json() == {"files": [], "path": "", "ref": "HEAD"}
    assert api.get("/api/v2/repos/empty/branches").json() == {"branches": [], "current": "main"}


def test_create_an_existing_name_is_409(api, demo):
    response = api.post("/api/v2/repos", {"name": "demo"}, content_type=JSON)
    assert (response.status_code, response.json()) == (409, {"error": "Repository already exists"})


def test_another_user_may_use_the_same_name(other_api, demo):
    assert other_api.post("/api/v2/repos", {"name": "demo"}, content_type=JSON).status_code == 201


@pytest.mark.parametrize("body, details", [
    ({"name": "bad/name"}, "name: Name can only contain letters, numbers, underscores, and hyphens"),
    ({"name": "../escape"}, "name: Name can only contain letters, numbers, underscores, and hyphens"),
    ({"name": "x" * 101}, ("name: Ensure this field has no more than 100 characters. Name can only contain "
                           "letters, numbers, underscores, and hyphens")),
    ({}, "name: This field is required."),
    ({"name": "ok", "description": "d" * 501},
     "description: Ensure this field has no more than 500 characters."),
    ({"name": "ok", "template": {"readme": 3}}, "template.readme: Must be a boolean or a string."),
    ({"name": "ok", "defaultBranch": "a..b"}, "defaultBranch: is not a valid branch name"),
    ({"name": "clone"}, 'name: "clone" is reserved'),
])
def test_create_validation(api, body, details):
    response = api.post("/api/v2/repos", body, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["details"] == details


# -- clone -----------------------------------------------------------------------------------------

def test_clone_over_smart_http_with_a_token(api, user, git_server, allow_test_clones, caplog):
    make_source(git_server.root / "upstream", {"README.md": "# upstream\n"}, commits=3)
    response = api.post("/api/v2/repos/clone", {"url": git_server.url("upstream"), "name": "mine", "depth": 1,
                                                "auth": {"token": TOKEN}}, content_type=JSON)
    assert response.status_code == 201, response.content
    repository = response.json()["repository"]
    assert repository == {"name": "mine", "path": str(user_root(user) / "mine"),
                          "createdAt": repository["createdAt"], "lastModified": repository["lastModified"],
                          "currentBranch": "main", "isDirty": False, "remoteUrl": git_server.url("upstream"),
                          "description": None}
    assert TOKEN not in response.content.decode() and TOKEN not in caplog.text
    config = (user_root(user) / "mine" / ".git" / "config").read_text()
    assert TOKEN not in config and "[remote \"origin\"]" in config
    assert [c["message"] for c in api.get("/api/v2/repos/mine/log").json()["commits"]] == ["Commit 2\n"]


def test_a_clone_with_a_wrong_token_leaves_nothing_and_echoes_nothing(api, user, git_server,
                                                                    allow_test_clones, caplog):
    make_source(git_server.root / "upstream", {"a": "a"})
    response = api.post("/api/v2/repos/clone", {"url": git_server.url("upstream"), "name": "mine",
                                                "auth": {"token": "the-wrong-secret"}}, content_type=JSON)
    assert (response.status_code, response.json()) == (400, {
        "error": "Failed to clone repository",
        "details": "Authentication failed, or the repository does not exist"})
    assert "the-wrong-secret" not in caplog.text
    assert sorted(p.name for p in user_root(user).iterdir()) == [".locks"]
    assert api.get("/api/v2/repos").json() == {"repositories": [], "count": 0}


def test_a_clone_cut_mid_pack_leaves_nothing(api, user, git_server, allow_test_clones):
    make_source(git_server.root / "upstream", {f"f{n}": os.urandom(4000) for n in range(40)})
    git_server.cut_pack_after = 3000
    response = api.post("/api/v2/repos/clone", {"url": git_server.url("upstream"), "name": "mine",
                                                "auth": {"token": TOKEN}}, content_type=JSON)
    assert (response.status_code, response.json()) == (502, {
        "error": "Failed to clone repository", "details": "The remote repository could not be read"})
    assert sorted(p.name for p in user_root(user).iterdir()) == [".locks"]


def test_clone_from_a_local_path(api, tmp_path, allow_test_clones):
    source = make_source(tmp_path / "source", {"a.txt": "a"})
    response = api.post("/api/v2/repos/clone", {"url": str(source), "name": "local"}, content_type=JSON)
    assert response.status_code == 201 and response.json()["repository"]["remoteUrl"] == str(source)


@pytest.mark.parametrize("body, status, details", [
    ({"url": "http://example.com/a.git", "name": "x"}, 400, "url: must be a URL with scheme https"),
    ({"url": "/etc", "name": "x"}, 400, "url: must be a URL with scheme https"),
    ({"url": "https://me:pw@example.com/a.git", "name": "x"}, 400,
     "url: must not contain credentials; send them in auth"),
    ({"url": "https://example.com/a.git", "name": "a.b"}, 400,
     "name: Name can only contain letters, numbers, underscores, and hyphens"),
    ({"url": "https://example.com/a.git", "name": "x", "depth": 0}, 400,
     "depth: Ensure this value is greater than or equal to 1."),
    ({"url": "https://example.com/a.git", "name": "x", "branch": "a b"}, 400,
     "branch: is not a valid branch name"),
])
def test_clone_validation(api, body, status, details):
    response = api.post("/api/v2/repos/clone", body, content_type=JSON)
    assert (response.status_code, response.json()["details"]) == (status, details)


def test_clone_onto_an_existing_name_is_409(api, demo):
    response = api.post("/api/v2/repos/clone", {"url": "https://example.com/a.git", "name": "demo"},
                        content_type=JSON)
    assert (response.status_code, response.json()) == (409, {"error": "Repository already exists"})


# -- one repository --------------------------------------------------------------------------------

def test_get_and_delete(api, user, demo):
    expected = {"repository": selectors.repository_get(user=user, name="demo")}
    assert api.get("/api/v2/repos/demo").json() == expected
    assert api.delete("/api/v2/repos/demo").json() == {"success": True, "message": "Repository deleted"}
    assert not demo.exists()
    assert api.get("/api/v2/repos/demo").json() == NOT_FOUND
    response = api.delete("/api/v2/repos/demo")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_is_dirty_follows_the_working_tree(api, demo):
    (demo / "scratch.txt").write_text("s")
    assert api.get("/api/v2/repos/demo").json()["repository"]["isDirty"] is True


def test_files(api, user, demo):
    tree = {e["name"]: e["sha"] for e in selectors.repository_files(user=user, name="demo")}
    body = api.get("/api/v2/repos/demo/files").json()
    assert body == {"path": "", "ref": "HEAD", "files": [
        {"name": ".gitignore", "path": ".gitignore", "type": "file", "mode": "100644",
         "sha": tree[".gitignore"]},
        {"name": "README.md", "path": "README.md", "type": "file", "mode": "100644",
         "sha": tree["README.md"]},
        {"name": "src", "path": "src", "type": "directory", "mode": "040000", "sha": tree["src"]}]}
    body = api.get("/api/v2/repos/demo/files?path=src").json()
    assert body["files"] == [{"name": "app.py", "path": "src/app.py", "type": "file", "mode": "100644",
                              "sha": run_git(demo, "rev-parse", "HEAD:src/app.py").strip()}]
    assert api.get("/api/v2/repos/demo/files?path=nope").json() == {"files": [], "path": "nope",
                                                                     "ref": "HEAD"}
    first = selectors.repository_log(user=user, name="demo")[-1]["sha"]
    at_first = api.get(f"/api/v2/repos/demo/files?ref={first}").json()["files"]
    assert [e["name"] for e in at_first] == [".gitignore", "README.md"]
    response = api.get("/api/v2/repos/demo/files?ref=nope")
    assert (response.status_code, response.json()) == (404, {"error": "Ref not found"})


def test_file_at_head_at_a_ref_and_in_the_working_tree(api, user, demo):
    sha = run_git(demo, "rev-parse", "HEAD:README.md").strip()
    assert api.get("/api/v2/repos/demo/file?path=README.md").json() == {"file": {
        "path": "README.md", "content": README, "encoding": "utf8", "size": len(README), "sha": sha}}
    (demo / "draft.md").write_text("draft")
    assert api.get("/api/v2/repos/demo/file?path=./draft.md").json() == {"file": {
        "path": "draft.md", "content": "draft", "encoding": "utf8", "size": 5, "sha": ""}}
    first = selectors.repository_log(user=user, name="demo")[-1]["sha"]
    response = api.get(f"/api/v2/repos/demo/file?path=src/app.py&ref={first}")
    assert (response.status_code, response.json()) == (404, {"error": "File not found"})
    response = api.get("/api/v2/repos/demo/file?path=missing.txt")
    assert (response.status_code, response.json()) == (404, {"error": "File not found"})
    response = api.get("/api/v2/repos/demo/file")
    assert (response.status_code, response.json()) == (400, {"error": "Missing path query parameter"})


def test_a_binary_file_comes_as_base64(api, demo):
    data = bytes(range(256))
    (demo / "blob.bin").write_bytes(data)
    body = api.get("/api/v2/repos/demo/file?path=blob.bin").json()["file"]
    assert (body["encoding"], base64.b64decode(body["content"]), body["size"]) == ("base64", data, 256)


def test_file_size_limit(api, settings, demo):
    settings.REPOS_MAX_FILE_BYTES = 10
    response = api.put("/api/v2/repos/demo/file", {"path": "big.txt", "content": "x" * 11}, content_type=JSON)
    assert (response.status_code, response.json()) == (413, {
        "error": "File too large", "details": "The content is larger than 10 bytes"})
    assert api.get("/api/v2/repos/demo/file?path=README.md").status_code == 413


@pytest.mark.parametrize("path, details", [
    ("../outside.txt", "must stay inside the repository"),
    ("a/../../outside.txt", "must stay inside the repository"),
    ("/etc/passwd", "must be relative to the repository"),
    ("a\x00b", "Null characters are not allowed."),
    (".git/config", "must not name the .git directory"),
    ("etc/passwd", "must stay inside the repository"),  # through a committed symlink to /etc
    ("etc/new", "must stay inside the repository"),
    ("deep/" * 1000 + "x", "is longer than 4096 bytes"),
    ("n" * 300, "has a component longer than 255 bytes"),
])
def test_every_path_escape_is_400_on_every_file_endpoint(api, user, demo, path, details):
    os.symlink("/etc", demo / "etc")
    services.repository_commit(user=user, name="demo", message="A link to /etc", stage_all=True)
    before = run_git(demo, "status", "--porcelain")
    query = path.replace("\x00", "%00")
    file_url = "/api/v2/repos/demo/file"
    for method, url, body, field in [("get", f"{file_url}?path={query}", None, "path"),
                                     ("put", file_url, {"path": path, "content": "x"}, "path"),
                                     ("delete", file_url, {"path": path}, "path"),
                                     ("post", "/api/v2/repos/demo/stage", {"paths": [path]}, "paths")]:
        response = call(api, method, url, body)
        if field == "paths" and "\x00" in path:
            field = "paths.0"  # DRF's own check, on the list's first item
        assert (response.status_code, response.json()["details"]) == (400, f"{field}: {details}"), url
    response = api.get(f"/api/v2/repos/demo/files?path={query}")
    if path.startswith("etc/"):
        # Listing reads git's tree, where `etc` is a symlink, not a directory: nothing is followed.
        assert response.json() == {"files": [], "path": path, "ref": "HEAD"}
    else:
        assert (response.status_code, response.json()["details"]) == (400, f"path: {details}")
    assert run_git(demo, "status", "--porcelain") == before
    assert not os.path.exists("/etc/new") and not os.path.exists(demo.parent / "outside.txt")


def test_write_then_delete_a_file(api, demo):
    response = api.put("/api/v2/repos/demo/file", {"path": "docs/guide.md", "content": "Guide\n"},
                       content_type=JSON)
    assert response.json() == {"success": True, "message": "File written and staged"}
    assert (demo / "docs" / "guide.md").read_text() == "Guide\n"
    assert api.get("/api/v2/repos/demo/status").json() == {"files": [
        {"path": "docs/guide.md", "staged": "added", "unstaged": "unmodified", "tracked": True}]}
    response = api.delete("/api/v2/repos/demo/file", {"path": "README.md"}, content_type=JSON)
    assert response.json() == {"success": True, "message": "File deleted and staged"}
    assert not (demo / "README.md").exists()
    assert api.get("/api/v2/repos/demo/status").json() == {"files": [
        {"path": "README.md", "staged": "deleted", "unstaged": "unmodified", "tracked": True},
        {"path": "docs/guide.md", "staged": "added", "unstaged": "unmodified", "tracked": True}]}
    response = api.delete("/api/v2/repos/demo/file", {"path": "README.md"}, content_type=JSON)
    assert (response.status_code, response.json()) == (404, {"error": "File not found"})
    response = api.put("/api/v2/repos/demo/file", {"path": "src", "content": "x"}, content_type=JSON)
    assert (response.status_code, response.json()["details"]) == (400, "path: is a directory")
    response = api.put("/api/v2/repos/demo/file", {"path": "docs/guide.md/x", "content": "x"},
                       content_type=JSON)
    assert (response.status_code, response.json()["details"]) == (400, "path: a parent of the path is a file")


def test_status_stage_and_commit(api, user, demo):
    (demo / "README.md").write_text("changed\n")
    (demo / "new.txt").write_text("new\n")
    os.remove(demo / ".gitignore")
    assert api.get("/api/v2/repos/demo/status").json() == {"files": [
        {"path": ".gitignore", "staged": "unmodified", "unstaged": "deleted", "tracked": True},
        {"path": "README.md", "staged": "unmodified", "unstaged": "modified", "tracked": True},
        {"path": "new.txt", "staged": "unmodified", "unstaged": "untracked", "tracked": False}]}
    response = api.post("/api/v2/repos/demo/stage", {"paths": ["new.txt"]}, content_type=JSON)
    assert response.json() == {"success": True, "message": "Files staged"}
    assert api.get("/api/v2/repos/demo/status").json()["files"][2] == {
        "path": "new.txt", "staged": "added", "unstaged": "unmodified", "tracked": True}
    assert api.post("/api/v2/repos/demo/stage", content_type=JSON).json()["success"] is True  # everything
    assert [f["staged"] for f in api.get("/api/v2/repos/demo/status").json()["files"]] == [
        "deleted", "modified", "added"]
    response = api.post("/api/v2/repos/demo/commit", {"message": "Update", "author": {
        "name": "Grace", "email": "grace@example.com"}}, content_type=JSON)
    sha = response.json()["sha"]
    assert response.json() == {"sha": sha, "message": "Commit created"}
    assert api.get("/api/v2/repos/demo/status").json() == {"files": []}
    commit = api.get(f"/api/v2/repos/demo/commit/{sha}").json()["commit"]
    assert (commit["message"], commit["author"]["name"], commit["author"]["email"]) == (
        "Update", "Grace", "grace@example.com")
    assert run_git(demo, "log", "-1", "--format=%H %an <%ae>").strip() == f"{sha} Grace <grace@example.com>"
    fsck(demo)


def test_commit_uses_the_default_author_and_validates(api, demo):
    sha = api.post("/api/v2/repos/demo/commit", {"message": "Empty"}, content_type=JSON).json()["sha"]
    assert run_git(demo, "log", "-1", "--format=%an <%ae>").strip() == "AgentPod User <user@agentpod.dev>"
    assert len(sha) == 40
    for body, details in [({}, "message: This field is required."),
                          ({"message": "m" * 501},
                           "message: Ensure this field has no more than 500 characters."),
                          ({"message": "m", "author": {"name": "A <b>", "email": "a@b.co"}},
                           "author.name: This value does not match the required pattern."),
                          ({"message": "m", "author": {"name": "A", "email": "nope"}},
                           "author.email: Enter a valid email address.")]:
        response = api.post("/api/v2/repos/demo/commit", body, content_type=JSON)
        assert (response.status_code, response.json()["details"]) == (400, details)


def test_log_and_commit(api, user, demo):
    commits = api.get("/api/v2/repos/demo/log").json()["commits"]
    initial, app = commits[1], commits[0]
    assert app == {"sha": app["sha"], "message": "Add app",
                   "author": {"name": "Ada", "email": "ada@example.com", "timestamp": app["timestamp"]},
                   "committer": {"name": "Ada", "email": "ada@example.com", "timestamp": app["timestamp"]},
                   "parents": [initial["sha"]], "timestamp": app["timestamp"]}
    assert initial["parents"] == [] and initial["author"]["name"] == "AgentPod User"
    assert app["timestamp"].endswith(".000Z")
    assert api.get("/api/v2/repos/demo/log?limit=1").json() == {"commits": [app]}
    assert api.get(f"/api/v2/repos/demo/log?ref={initial['sha']}").json() == {"commits": [initial]}
    assert api.get(f"/api/v2/repos/demo/commit/{app['sha']}").json() == {"commit": app}
    assert api.get(f"/api/v2/repos/demo/commit/{app['sha'][:7]}").json() == {"commit": app}
    for sha in ("0" * 40, "nothex", "abc"):
        response = api.get(f"/api/v2/repos/demo/commit/{sha}")
        assert (response.status_code, response.json()) == (404, {"error": "Commit not found"})
    assert api.get("/api/v2/repos/demo/log?limit=0").status_code == 400
    assert api.get("/api/v2/repos/demo/log?ref=nope").json() == {"error": "Ref not found"}


def test_branches_create_checkout_delete(api, user, demo):
    sha = head(user)
    main = {"name": "main", "ref": "refs/heads/main", "sha": sha, "current": True, "upstream": None,
            "ahead": None, "behind": None}
    dev = {**main, "name": "dev", "ref": "refs/heads/dev", "current": False}
    assert api.get("/api/v2/repos/demo/branches").json() == {"branches": [dev, main], "current": "main"}
    response = api.post("/api/v2/repos/demo/branches", {"name": "feature/x"}, content_type=JSON)
    assert response.json() == {"success": True, "message": "Branch 'feature/x' created"}
    response = api.post("/api/v2/repos/demo/branches", {"name": "dev"}, content_type=JSON)
    assert (response.status_code, response.json()) == (409, {"error": "Branch already exists"})
    response = api.post("/api/v2/repos/demo/branches", {"name": "bad..name"}, content_type=JSON)
    assert (response.status_code, response.json()["details"]) == (400, "name: is not a valid branch name")
    response = api.post("/api/v2/repos/demo/branches", {"name": "other", "ref": "nope"}, content_type=JSON)
    assert (response.status_code, response.json()) == (404, {"error": "Ref not found"})

    assert api.post("/api/v2/repos/demo/checkout", {"ref": "feature/x"}, content_type=JSON).json() == {
        "success": True, "message": "Checked out 'feature/x'"}
    assert api.get("/api/v2/repos/demo").json()["repository"]["currentBranch"] == "feature/x"
    assert api.delete("/api/v2/repos/demo/branches/main").json() == {
        "success": True, "message": "Branch 'main' deleted"}
    response = api.delete("/api/v2/repos/demo/branches/feature/x")
    assert (response.status_code, response.json()) == (409, {"error": "Cannot delete the current branch"})
    response = api.delete("/api/v2/repos/demo/branches/main")
    assert (response.status_code, response.json()) == (404, {"error": "Branch not found"})
    branches = api.get("/api/v2/repos/demo/branches").json()["branches"]
    assert [b["name"] for b in branches] == ["dev", "feature/x"]


def test_checkout_a_commit_detaches_head_and_local_changes_are_protected(api, user, demo):
    first = selectors.repository_log(user=user, name="demo")[-1]["sha"]
    assert api.post("/api/v2/repos/demo/checkout", {"ref": first}, content_type=JSON).status_code == 200
    assert not (demo / "src").exists()
    assert api.get("/api/v2/repos/demo").json()["repository"]["currentBranch"] is None
    assert api.get("/api/v2/repos/demo/branches").json()["current"] is None
    assert api.post("/api/v2/repos/demo/checkout", {"ref": "main"}, content_type=JSON).status_code == 200
    (demo / "src" / "app.py").write_text("local edit\n")
    response = api.post("/api/v2/repos/demo/checkout", {"ref": first}, content_type=JSON)
    assert (response.status_code, response.json()) == (409, {
        "error": "Checkout would overwrite local changes", "details": "Commit or discard the changes first"})
    assert (demo / "src" / "app.py").read_text() == "local edit\n"
    response = api.post("/api/v2/repos/demo/checkout", {"ref": "nope"}, content_type=JSON)
    assert (response.status_code, response.json()) == (404, {"error": "Ref not found"})


def test_upstream_ahead_and_behind_of_a_cloned_repository(api, user, tmp_path, allow_test_clones):
    source = make_source(tmp_path / "source", {"a": "a"}, commits=2)
    services.repository_clone(user=user, name="mine", url=str(source))
    services.repository_file_write(user=user, name="mine", path="b", content="b")
    services.repository_commit(user=user, name="mine", message="Local")
    branch = api.get("/api/v2/repos/mine/branches").json()["branches"][0]
    assert (branch["upstream"], branch["ahead"], branch["behind"]) == ("origin/main", 1, 0)


def test_diff(api, user, demo):
    first = selectors.repository_log(user=user, name="demo")[-1]["sha"]
    assert api.get("/api/v2/repos/demo/diff").json() == {"diff": {"added": [], "modified": [], "deleted": [],
                                                                   "renamed": []}}
    (demo / "README.md").write_text("changed\n")
    (demo / "notes.txt").write_text("n\n")
    assert api.get("/api/v2/repos/demo/diff").json() == {"diff": {
        "added": ["notes.txt"], "modified": ["README.md"], "deleted": [], "renamed": []}}
    assert api.get(f"/api/v2/repos/demo/diff?from={first}&to=HEAD").json() == {"diff": {
        "added": ["src/app.py"], "modified": [], "deleted": [], "renamed": []}}
    backwards = api.get(f"/api/v2/repos/demo/diff?from=HEAD&to={first}").json()["diff"]
    assert backwards["deleted"] == ["src/app.py"]
    assert api.get("/api/v2/repos/demo/diff?to=nope").json() == {"error": "Ref not found"}
