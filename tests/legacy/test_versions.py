"""Files at every legacy schema version (0-8, 10-18; 13-17 only exist after a crashed upgrade) import,
with every row accounted for. Made with the shared generator (`make_legacy_db.py --version N
--created-at 0`, small sizes; `v5_fresh` was created at release 5, so its columns are in another order)."""

import json
from datetime import datetime

import pytest

from accounts.models import User
from legacy.importer import run_import
from legacy.mapping import discover_mappings
from tests.legacy.conftest import DATA, KEY

pytestmark = pytest.mark.django_db
VERSIONS = DATA / "versions"
NAMES = sorted(p.stem for p in VERSIONS.glob("*.sqlite"))


def test_every_version_is_there():
    assert {n for n in NAMES} >= {f"v{v}" for v in (*range(0, 9), *range(10, 19))} | {"v5_fresh"}


@pytest.mark.parametrize("name", NAMES)
def test_a_file_of_this_version_imports_completely(name):
    manifest = json.loads((VERSIONS / f"{name}.json").read_text())
    users = manifest["users"]
    report = run_import(
        VERSIONS / f"{name}.sqlite",
        encryption_key=KEY,
        owner=users[0]["email"].lower() if users else None,
        now=datetime.fromisoformat(manifest["arguments"]["now"].replace("Z", "+00:00")),
    )
    assert report.source["schema_version"] == manifest["schema"]["max_migration_version"]
    assert report.failed_apps == []
    assert report.balanced
    read = {table: stats.read for (_, table), stats in report.tables.items() if stats.present}
    assert read == manifest["row_counts"]["main"]
    mapped = {t.name: t for m in discover_mappings().values() for t in m.tables if t.model is not None}
    for (_, table), stats in report.tables.items():
        if stats.present and table in mapped and not mapped[table].reference:
            assert mapped[table].model.objects.count() == stats.imported, table
    # Nothing is rejected in these healthy files but single-tenant rows: without users (before v12) they
    # have no owner; the 'default-user' OpenCode config cannot replace the owner's own one.
    for entry in (e for e in report.entries if e["outcome"] == "rejected"):
        assert entry["table"] in ("provider_credentials", "user_opencode_config", "user_opencode_files"), (
            entry
        )
        assert (
            "no owner" in entry["reason"]
            if not users
            else entry["table"] == "user_opencode_config" and "already belongs to" in entry["reason"]
        ), entry
    for entry in users[:1]:
        if entry["password"]:
            assert User.objects.get(id=entry["id"]).check_password(entry["password"])
