"""`import_sqlite --repos-dir OLD_DIR`: the old server's repositories (one folder, `<repoName>` per sandbox)
placed in their owners' folders (sandboxes/legacy.py `finalize`): copied or moved, re-runs skip what is in
place, and what cannot be placed is reported."""

import json

import pytest

from repos.paths import user_root
from repos.services import repository_init
from sandboxes.models import Sandbox
from tests.legacy.conftest import DATA, KEY, import_sample, legacy_rows, owner_email
from tests.legacy.test_command import run_command
from tests.repos.conftest import make_source, run_git

pytestmark = pytest.mark.django_db
CLEAN = DATA / "clean.sqlite"


@pytest.fixture(autouse=True)
def repos_dir(settings, tmp_path):
    settings.REPOS_DIR = tmp_path / "repos"
    return settings.REPOS_DIR


@pytest.fixture
def old_dir(tmp_path):
    """The old REPOS_DIR: two sandboxes' repositories, one folder that is no repository, the rest missing."""
    old = tmp_path / "old-repos"
    old.mkdir()
    names = [name for _, name in legacy_rows(CLEAN, "SELECT id, repo_name FROM sandboxes ORDER BY id")]
    make_source(old / names[0], {"app.py": "print(0)\n"}, commits=2)
    make_source(old / names[1], {"app.py": "print(1)\n"})
    (old / names[1] / "uncommitted.txt").write_text("work in progress\n")
    (old / names[2]).mkdir()
    (old / names[2] / "README.md").write_text("not a repository\n")
    return old


def legacy_sandboxes() -> list[tuple[str, str]]:
    return legacy_rows(CLEAN, "SELECT id, repo_name FROM sandboxes ORDER BY id")


def not_placed(report) -> dict[str, str]:
    return {e["key"]: e["reason"] for e in report.entries if e["outcome"] == "repository not placed"}


def test_repositories_are_copied_to_their_owners_and_a_rerun_skips_them(old_dir, repos_dir):
    rows = legacy_sandboxes()
    (first_id, first), (second_id, second), (third_id, third), (clash_id, clash_name) = rows[:4]
    report = import_sample("clean", repos_dir=old_dir)
    assert report.exit_status == 0
    assert f"repositories from {old_dir}: 2 copied, {len(rows) - 2} not placed" in report.notes

    for sandbox_id, name, messages in [(first_id, first, ["Commit 1", "Commit 0"]),
                                       (second_id, second, ["Commit 0"])]:
        sandbox = Sandbox.objects.get(pk=sandbox_id)
        placed = user_root(sandbox.user) / sandbox.repo_name
        assert placed == repos_dir / sandbox.user_id / name
        assert run_git(placed, "log", "--format=%s").split("\n")[:-1] == messages
        assert run_git(placed, "config", "agentpod.importedfrom").strip() == sandbox_id
        assert (old_dir / name).is_dir()  # copied, not moved
    assert (repos_dir / Sandbox.objects.get(pk=second_id).user_id / second / "uncommitted.txt").exists()

    reasons = not_placed(report)
    assert reasons[third_id] == f"not a git repository: {old_dir / third}"
    assert reasons[clash_id] == f"no such directory: {old_dir / clash_name}"
    assert set(reasons) == {sandbox_id for sandbox_id, _ in rows[2:]}
    assert any("sandbox repositories were not placed" in hint for hint in report.hints)

    # Between the runs: the old folder of one gets a repository, another's name is taken by a different
    # repository of its owner, the third is fixed.
    make_source(old_dir / clash_name, {"x": "x"})
    clash = Sandbox.objects.get(pk=clash_id)
    repository_init(user=clash.user, name=clash.repo_name, files={"mine": "not the sandbox's"})
    rows_before = list(Sandbox.objects.order_by("pk").values())

    again = import_sample("clean", repos_dir=old_dir)
    assert again.exit_status == 0
    assert f"repositories from {old_dir}: 2 already in place, {len(rows) - 2} not placed" in again.notes
    clash_path = repos_dir / clash.user_id / clash.repo_name
    assert not_placed(again)[clash_id] == f"name clash: {clash_path} already exists"
    assert run_git(repos_dir / clash.user_id / clash.repo_name, "ls-files").split() == ["mine"]
    assert list(Sandbox.objects.order_by("pk").values()) == rows_before


def test_move_and_dry_run_through_the_command(old_dir, repos_dir, tmp_path):
    (first_id, first), (second_id, second) = legacy_sandboxes()[:2]
    common = [CLEAN, "--owner", owner_email("clean"), "--legacy-encryption-key", KEY, "--repos-dir", old_dir,
              "--move-repos"]

    status, out, err = run_command(*common, "--dry-run", "--verbosity", "2")
    assert status == 0, err
    assert f"repository {first}: would move" in out
    assert not repos_dir.exists() or not any(repos_dir.iterdir())
    assert (old_dir / first).is_dir()

    report_path = tmp_path / "report.json"
    status, out, err = run_command(*common, "--report", report_path)
    assert status == 0, err
    report = json.loads(report_path.read_text())
    assert any(note.startswith(f"repositories from {old_dir}: 2 moved,") for note in report["notes"])
    assert not (old_dir / first).exists() and not (old_dir / second).exists()
    for sandbox_id, name in [(first_id, first), (second_id, second)]:
        owner = Sandbox.objects.get(pk=sandbox_id).user_id
        assert (repos_dir / owner / name / "app.py").exists()

    status, _, err = run_command(*common)  # the old folders are gone: the repositories are in place
    assert status == 0, err
    assert (repos_dir / Sandbox.objects.get(pk=first_id).user_id / first).is_dir()


def test_operator_mistakes_exit_2(tmp_path):
    status, _, err = run_command(CLEAN, "--repos-dir", tmp_path / "missing")
    assert (status, err) == (2, f"--repos-dir {tmp_path / 'missing'}: no such directory")
    status, _, err = run_command(CLEAN, "--move-repos")
    assert (status, err) == (2, "--move-repos needs --repos-dir")
