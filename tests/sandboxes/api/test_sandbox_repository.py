"""A sandbox's repository over HTTP: create (init, clone, failed clone), get (repository and config),
delete (with and without the repository), the three git endpoints, and end to end on the real engine
with the repository as the container's workspace (api-contract 2.11 steps 2 and 7)."""

import re

import pytest

from onboarding.models import OnboardingSession
from repos.paths import user_root
from repos.services import repository_file_write, repository_init, template_files
from sandboxes.models import Sandbox
from sandboxes.workspace import INITIAL_AUTHOR, workspace_create
from tests.factories import SandboxFactory
from tests.repos.conftest import make_source, run_git

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}
SANDBOX_NOT_FOUND = {"error": "Sandbox not found"}
JSON = "application/json"
GIT_ENDPOINTS = [("post", "/git/commit", {"message": "Save"}), ("get", "/git/status", None),
                 ("get", "/git/log", None)]


class IsoTime:
    """Equal to any ISO 8601 UTC time with milliseconds, as the API writes them."""

    def __eq__(self, other):
        pattern = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
        return isinstance(other, str) and re.fullmatch(pattern, other) is not None

    def __repr__(self):
        return "<ISO time>"


class Sha:
    def __eq__(self, other):
        return isinstance(other, str) and re.fullmatch(r"[0-9a-f]{40}", other) is not None

    def __repr__(self):
        return "<sha>"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type=JSON)


def repository_body(user, name, *, description=None, remote_url=None, dirty=False) -> dict:
    return {"name": name, "path": str(user_root(user) / name), "createdAt": IsoTime(),
            "lastModified": IsoTime(), "currentBranch": "main", "isDirty": dirty, "remoteUrl": remote_url,
            "description": description}


@pytest.fixture
def sandbox(user):
    """A sandbox of `user` with the repository a create makes (no container: nothing here needs one)."""
    sandbox = SandboxFactory(user=user, slug="demo", repo_name="demo-abcdefghijkl", flavor_id="js",
                             addon_ids=[])
    workspace_create(user=user, repo_name=sandbox.repo_name)
    return sandbox


def workdir(sandbox):
    return user_root(sandbox.user) / sandbox.repo_name


# -- create (the real engine makes the container) -------------------------------------------------------

def test_create_initialises_a_repository_with_the_three_files_committed(engine, api, user):
    response = post(api, "/api/v2/sandboxes", {"name": "My Project", "description": "A demo"})
    assert response.status_code == 201, response.content
    body = response.json()
    sandbox_id = body["sandbox"]["id"]
    repo_name = f"my-project-{sandbox_id}"
    assert body["sandbox"]["repoName"] == repo_name
    assert body["repository"] == repository_body(user, repo_name, description="A demo")

    path = user_root(user) / repo_name
    assert run_git(path, "ls-files").splitlines() == [".gitignore", "README.md", "agentpod.toml"]
    assert run_git(path, "status", "--porcelain") == ""
    assert run_git(path, "log", "--format=%an <%ae>|%s") == "AgentPod <agent@agentpod.dev>|Initial commit\n"
    files = template_files(name=repo_name, readme=True, gitignore=True, agentpod_config=True)
    for name, content in files.items():
        assert (path / name).read_text() == content
    assert (path / "README.md").read_text().startswith(f"# {repo_name}\n")
    # The container's workspace is that folder.
    [found] = engine.containers(**{"agentpod.sandbox.id": sandbox_id})
    assert engine.client.inspect_container(found["Id"])["HostConfig"]["Binds"] == [
        f"{path}:/home/developer/workspace:rw"]


def test_create_clones_github_url_with_depth_1(engine, api, user, git_server, allow_test_clones):
    git_server.anonymous = True  # a public repository: the sandbox create sends no credentials
    package = '{"name": "web-app", "scripts": {"dev": "vite"}}'
    make_source(git_server.root / "web-app", {"package.json": package, "package-lock.json": "{}"}, commits=3)
    url = git_server.url("web-app")
    response = post(api, "/api/v2/sandboxes", {"name": "Web", "githubUrl": url})
    assert response.status_code == 201, response.content
    body = response.json()
    repo_name = f"web-{body['sandbox']['id']}"
    assert (body["sandbox"]["githubUrl"], body["repository"]) == (url, repository_body(user, repo_name,
                                                                                      remote_url=url))
    path = user_root(user) / repo_name
    assert run_git(path, "log", "--format=%s").splitlines() == ["Commit 2"]  # depth 1: the last commit only
    assert (path / ".git" / "shallow").exists()
    assert api.get(f"/api/v2/sandboxes/{body['sandbox']['id']}").json()["config"] == {
        "detected": True, "project": {"name": "web-app"},
        "environment": {"base": "js", "language": "javascript", "languages": ["javascript"],
                        "packageManager": "npm"},
        "lifecycle": {"setup": "npm install", "dev": "npm run dev"}}


def test_a_failed_clone_leaves_no_sandbox_no_repository_and_no_container(engine, api, user, git_server,
                                                                          allow_test_clones):
    git_server.anonymous = True
    response = post(api, "/api/v2/sandboxes", {"name": "Web", "githubUrl": git_server.url("missing")})
    assert (response.status_code, response.json()) == (400, {
        "error": "Failed to clone repository", "details": "The remote repository was not found"})
    assert not Sandbox.objects.exists() and not OnboardingSession.objects.exists()
    assert sorted(p.name for p in user_root(user).iterdir()) == [".locks"]
    assert engine.containers(**{"agentpod.test.case": engine.case}) == []


def test_a_clone_url_production_refuses_is_a_400_before_anything_is_made(api, user):
    response = post(api, "/api/v2/sandboxes", {"name": "Web", "githubUrl": "http://127.0.0.1:9/x"})
    assert (response.status_code, response.json()) == (400, {
        "error": "Invalid request", "details": "url: must be a URL with scheme https"})
    assert not Sandbox.objects.exists() and not user_root(user).exists()


def test_a_long_name_keeps_the_repository_name_within_100_characters(engine, api, user):
    response = post(api, "/api/v2/sandboxes", {"name": "x" * 100})
    assert response.status_code == 201, response.content
    sandbox = response.json()["sandbox"]
    assert sandbox["slug"] == "x" * 100
    assert sandbox["repoName"] == f"{'x' * 87}-{sandbox['id']}" and len(sandbox["repoName"]) == 100
    assert response.json()["repository"]["name"] == sandbox["repoName"]


def test_an_unreachable_engine_keeps_the_repository_of_the_sandbox_left_in_error(api, user, settings):
    settings.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod-test.sock"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.5
    assert post(api, "/api/v2/sandboxes", {"name": "Kept"}).status_code == 503
    sandbox = Sandbox.objects.get()
    assert sandbox.status == "error"
    # The row refers to it: a later delete removes both.
    assert (user_root(user) / sandbox.repo_name / "README.md").exists()
    assert api.delete(f"/api/v2/sandboxes/{sandbox.id}").status_code == 200
    assert not (user_root(user) / sandbox.repo_name).exists()


# -- get ---------------------------------------------------------------------------------------------------

def test_get_returns_the_repository_and_its_agentpod_toml(api, user, sandbox):
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}").json()
    assert body["repository"] == repository_body(user, sandbox.repo_name)
    assert body["config"] == {"project": {"name": sandbox.repo_name}}

    (workdir(sandbox) / "agentpod.toml").write_text(
        '[project]\nname = "demo"\ndescription = "A demo"\n\n[environment]\nbase = "python"\n\n'
        '[lifecycle]\nsetup = "pip install -e ."\ndev = "flask run"\n\n'
        "[ports.http]\nport = 5000\npublic = true\n\n"
        "[meta]\nreviewed = 2025-01-02\n")
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}").json()
    assert body["repository"] == repository_body(user, sandbox.repo_name, dirty=True)
    assert body["config"] == {"project": {"name": "demo", "description": "A demo"},
                              "environment": {"base": "python"},
                              "lifecycle": {"setup": "pip install -e .", "dev": "flask run"},
                              "ports": {"http": {"port": 5000, "public": True}},
                              "meta": {"reviewed": "2025-01-02"}}


def test_get_detects_a_config_without_agentpod_toml(api, user):
    repository_init(user=user, name="py-app", files={
        "pyproject.toml": '[project]\nname = "py-app"\n', "uv.lock": "", "manage.py": "",
        ".gitignore": ".venv/\n"})
    sandbox = SandboxFactory(user=user, repo_name="py-app")
    assert api.get(f"/api/v2/sandboxes/{sandbox.id}").json()["config"] == {
        "detected": True, "project": {"name": "py-app"},
        "environment": {"base": "python", "language": "python", "languages": ["python"],
                        "packageManager": "uv"},
        "lifecycle": {"setup": "uv sync", "test": "uv run pytest",
                      "dev": "uv run python manage.py runserver"}}


def test_get_gives_a_null_config_for_an_invalid_agentpod_toml(api, user, sandbox):
    (workdir(sandbox) / "agentpod.toml").write_text("[project\nname = ")
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}").json()
    assert (body["repository"]["name"], body["config"]) == (sandbox.repo_name, None)


def test_get_without_a_repository_gives_nulls(api, user):
    sandbox = SandboxFactory(user=user, repo_name="never-made")
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}").json()
    assert (body["repository"], body["config"]) == (None, None)


# -- delete ------------------------------------------------------------------------------------------------

def test_delete_removes_the_repository(api, user, sandbox):
    response = api.delete(f"/api/v2/sandboxes/{sandbox.id}")
    assert (response.status_code, response.json()) == (200, {"success": True, "message": "Sandbox deleted"})
    assert Sandbox.all_objects.get(pk=sandbox.pk).deleted_at is not None  # soft deleted, its chat kept
    assert not workdir(sandbox).exists()
    assert api.get(f"/api/v2/repos/{sandbox.repo_name}").json() == {"error": "Repository not found"}


def test_delete_with_delete_repo_false_keeps_it(api, user, sandbox):
    response = api.delete(f"/api/v2/sandboxes/{sandbox.id}?deleteRepo=false")
    assert (response.status_code, response.json()) == (200, {"success": True, "message": "Sandbox deleted"})
    assert Sandbox.all_objects.get(pk=sandbox.pk).deleted_at is not None  # soft deleted, its chat kept
    assert api.get(f"/api/v2/repos/{sandbox.repo_name}").json() == {
        "repository": repository_body(user, sandbox.repo_name)}


def test_delete_of_a_sandbox_whose_repository_is_gone_still_deletes_it(api, user):
    sandbox = SandboxFactory(user=user, repo_name="never-made")
    assert api.delete(f"/api/v2/sandboxes/{sandbox.id}").status_code == 200
    assert Sandbox.all_objects.get(pk=sandbox.pk).deleted_at is not None  # soft deleted, its chat kept


def test_another_users_delete_is_a_404_and_keeps_everything(other_api, sandbox):
    response = other_api.delete(f"/api/v2/sandboxes/{sandbox.id}")
    assert (response.status_code, response.json()) == (404, SANDBOX_NOT_FOUND)
    assert Sandbox.objects.filter(pk=sandbox.pk).exists() and workdir(sandbox).is_dir()


# -- git/status, git/commit, git/log -----------------------------------------------------------------------

def test_status_commit_and_log(api, user, sandbox):
    (workdir(sandbox) / "notes.txt").write_text("notes\n")
    (workdir(sandbox) / "README.md").write_text("# changed\n")
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/git/status")
    assert (response.status_code, response.json()) == (200, {"files": [
        {"path": "README.md", "staged": "unmodified", "unstaged": "modified", "tracked": True},
        {"path": "notes.txt", "staged": "unmodified", "unstaged": "untracked", "tracked": False}]})

    response = post(api, f"/api/v2/sandboxes/{sandbox.id}/git/commit", {"message": "Add notes"})
    assert (response.status_code, response.json()) == (200, {"sha": Sha(), "message": "Changes committed"})
    sha = response.json()["sha"]
    assert api.get(f"/api/v2/sandboxes/{sandbox.id}/git/status").json() == {"files": []}

    response = post(api, f"/api/v2/sandboxes/{sandbox.id}/git/commit", {
        "message": "Empty but authored", "author": {"name": "Ada", "email": "ada@example.com"}})
    second = response.json()["sha"]

    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/git/log")
    assert response.status_code == 200
    commits = response.json()["commits"]
    initial = run_git(workdir(sandbox), "rev-list", "--max-parents=0", "HEAD").strip()
    assert commits == [
        {"sha": second, "message": "Empty but authored",
         "author": {"name": "Ada", "email": "ada@example.com", "timestamp": IsoTime()},
         "committer": {"name": "Ada", "email": "ada@example.com", "timestamp": IsoTime()},
         "parents": [sha], "timestamp": IsoTime()},
        {"sha": sha, "message": "Add notes",
         "author": {"name": "AgentPod User", "email": "user@agentpod.dev", "timestamp": IsoTime()},
         "committer": {"name": "AgentPod User", "email": "user@agentpod.dev", "timestamp": IsoTime()},
         "parents": [initial], "timestamp": IsoTime()},
        {"sha": initial, "message": "Initial commit",
         "author": {"name": INITIAL_AUTHOR[0], "email": INITIAL_AUTHOR[1], "timestamp": IsoTime()},
         "committer": {"name": INITIAL_AUTHOR[0], "email": INITIAL_AUTHOR[1], "timestamp": IsoTime()},
         "parents": [], "timestamp": IsoTime()}]
    # The same repository as the repos endpoints see it.
    assert api.get(f"/api/v2/repos/{sandbox.repo_name}/log").json() == {"commits": commits}


def test_log_limit(api, user, sandbox):
    for n in range(11):
        repository_file_write(user=user, name=sandbox.repo_name, path="n.txt", content=str(n))
        post(api, f"/api/v2/sandboxes/{sandbox.id}/git/commit", {"message": f"Commit {n}"})
    commits = api.get(f"/api/v2/sandboxes/{sandbox.id}/git/log").json()["commits"]
    assert [c["message"] for c in commits] == [f"Commit {n}" for n in range(10, 0, -1)]  # 10 by default
    two = api.get(f"/api/v2/sandboxes/{sandbox.id}/git/log?limit=2").json()["commits"]
    assert [c["message"] for c in two] == ["Commit 10", "Commit 9"]
    for limit in ["0", "x", "1001"]:
        response = api.get(f"/api/v2/sandboxes/{sandbox.id}/git/log?limit={limit}")
        assert response.status_code == 400 and response.json()["details"].startswith("limit:"), limit


@pytest.mark.parametrize("body, field", [
    ({}, "message"), ({"message": ""}, "message"), ({"message": "x" * 501}, "message"),
    ({"message": "ok", "author": {"name": "Ada", "email": "not-an-email"}}, "author"),
    ({"message": "ok", "author": {"email": "ada@example.com"}}, "author"),
])
def test_commit_validation(api, sandbox, body, field):
    response = post(api, f"/api/v2/sandboxes/{sandbox.id}/git/commit", body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request" and response.json()["details"].startswith(field)
    assert len(run_git(workdir(sandbox), "rev-list", "HEAD").split()) == 1


@pytest.mark.parametrize("method, suffix, body", GIT_ENDPOINTS)
def test_git_endpoints_are_the_owners_only(client, other_api, service_api, sandbox, method, suffix, body):
    (workdir(sandbox) / "notes.txt").write_text("notes\n")
    url = f"/api/v2/sandboxes/{sandbox.id}{suffix}"
    kwargs = {"data": body, "content_type": JSON} if body else {}
    for caller, expected in [(other_api, (404, SANDBOX_NOT_FOUND)), (client, (401, UNAUTHORIZED))]:
        response = getattr(caller, method)(url, **kwargs)
        assert (response.status_code, response.json()) == expected
    assert getattr(service_api, method)(url, **kwargs).status_code == 403
    unknown = getattr(other_api, method)(f"/api/v2/sandboxes/does-not-exist{suffix}", **kwargs)
    assert (unknown.status_code, unknown.json()) == (404, SANDBOX_NOT_FOUND)
    # Nothing was committed by anyone but the owner.
    assert len(run_git(workdir(sandbox), "rev-list", "HEAD").split()) == 1


@pytest.mark.parametrize("method, suffix, body", GIT_ENDPOINTS)
def test_git_endpoints_of_a_sandbox_without_repository_are_404(api, user, method, suffix, body):
    sandbox = SandboxFactory(user=user, repo_name="never-made")
    kwargs = {"data": body, "content_type": JSON} if body else {}
    response = getattr(api, method)(f"/api/v2/sandboxes/{sandbox.id}{suffix}", **kwargs)
    assert (response.status_code, response.json()) == (404, {"error": "Repository not found"})


# -- end to end on the real engine ---------------------------------------------------------------------

def test_the_workspace_end_to_end(engine, api, user):
    created = post(api, "/api/v2/sandboxes", {"name": "Workspace", "autoStart": True})
    assert created.status_code == 201, created.content
    sandbox_id, repo_name = created.json()["sandbox"]["id"], created.json()["sandbox"]["repoName"]
    assert created.json()["sandbox"]["status"] == "running"

    def run(*command):
        response = post(api, f"/api/v2/sandboxes/{sandbox_id}/exec", {"command": list(command)})
        assert response.status_code == 200, response.content
        return response.json()

    assert run("cat", "/home/developer/workspace/README.md") == {
        "exitCode": 0, "stdout": f"# {repo_name}\n\nA new AgentPod project.\n", "stderr": ""}
    # The agent writes as the container's user; then the workspace changes hands to another uid, as
    # with a container user other than the API's (libgit2's owner check must not refuse it).
    assert run("sh", "-c", "mkdir -p /home/developer/workspace/src && "
                           "echo 'print(1)' > /home/developer/workspace/src/main.py && "
                           "chown -R 4321:4321 /home/developer/workspace")["exitCode"] == 0
    assert (user_root(user) / repo_name).stat().st_uid == 4321

    assert api.get(f"/api/v2/sandboxes/{sandbox_id}/git/status").json() == {"files": [
        {"path": "src/main.py", "staged": "unmodified", "unstaged": "untracked", "tracked": False}]}
    committed = post(api, f"/api/v2/sandboxes/{sandbox_id}/git/commit", {"message": "Add main.py"})
    assert committed.json() == {"sha": Sha(), "message": "Changes committed"}
    sha = committed.json()["sha"]
    assert api.get(f"/api/v2/sandboxes/{sandbox_id}/git/status").json() == {"files": []}

    log = api.get(f"/api/v2/sandboxes/{sandbox_id}/git/log").json()["commits"]
    assert [(c["sha"], c["message"]) for c in log] == [(sha, "Add main.py"),
                                                        (log[1]["sha"], "Initial commit")]
    assert api.get(f"/api/v2/repos/{repo_name}/log").json() == {"commits": log}
    # The commit is in the container's workspace too (the same folder).
    assert run("cat", "/home/developer/workspace/.git/refs/heads/main")["stdout"] == f"{sha}\n"

    assert api.delete(f"/api/v2/sandboxes/{sandbox_id}").status_code == 200
    assert engine.containers(**{"agentpod.sandbox.id": sandbox_id}) == []
    assert not (user_root(user) / repo_name).exists()


def test_a_sandbox_mounts_only_its_owners_repository(engine, api, other_api, user, other_user):
    mine = post(api, "/api/v2/sandboxes", {"name": "Same"}).json()["sandbox"]
    theirs = post(other_api, "/api/v2/sandboxes", {"name": "Same"}).json()["sandbox"]
    for sandbox, owner in [(mine, user), (theirs, other_user)]:
        [found] = engine.containers(**{"agentpod.sandbox.id": sandbox["id"]})
        assert engine.client.inspect_container(found["Id"])["HostConfig"]["Binds"] == [
            f"{user_root(owner) / sandbox['repoName']}:/home/developer/workspace:rw"]
