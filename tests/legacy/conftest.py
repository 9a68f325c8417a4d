"""Fixtures of the legacy import tests: the sample files (copied from the shared samples with their
manifests) and one helper that imports a sample the way every test does."""

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from legacy.importer import run_import

DATA = Path(__file__).resolve().parent.parent / "data" / "legacy"
KEY = "dev-encryption-key-32-bytes-long!"


def manifest(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def manifest_now(name: str) -> datetime:
    """The simulated "now" the sample was generated at: what "unexpired" means for its sessions."""
    return datetime.fromisoformat(manifest(name)["arguments"]["now"].replace("Z", "+00:00"))


def sample_paths(name: str) -> tuple[Path, Path | None]:
    files = manifest(name)["files"]
    return DATA / files["main"], (DATA / files["auth"]) if "auth" in files else None


def owner_email(name: str) -> str | None:
    users = manifest(name)["users"]
    return users[0]["email"].strip().lower() if users else None


def import_sample(name: str, *, path: Path | None = None, **options):
    main, auth = sample_paths(name)
    options.setdefault("now", manifest_now(name))
    options.setdefault("encryption_key", KEY)
    options.setdefault("owner", owner_email(name))
    return run_import(path or main, auth_db=auth, **options)


def legacy_rows(path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


@pytest.fixture
def sample_copy(tmp_path):
    """A writable copy of a sample (for tests that change the legacy file)."""

    def copy(name: str) -> Path:
        main, _ = sample_paths(name)
        target = tmp_path / main.name
        shutil.copyfile(main, target)
        target.chmod(0o644)
        return target

    return copy
