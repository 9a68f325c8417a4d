"""Every sample file imports as its manifest says: counts, passwords, credentials, sessions."""

import hashlib
import json

import pytest
from django.apps import apps

from accounts.models import Account, Session, User
from legacy.mapping import discover_mappings
from providers.models import LegacyProvider, ProviderCredential
from tests.legacy.conftest import DATA, import_sample, manifest, manifest_now, sample_paths

pytestmark = pytest.mark.django_db

SAMPLES = ["clean", "dirty", "dirty_split", "v8", "v15_partial"]


def manifest_counts(name: str) -> dict[str, int]:
    counts = dict(manifest(name)["row_counts"]["main"])
    for table, count in manifest(name)["row_counts"].get("auth", {}).items():
        counts[table] = counts.get(table, 0) + count
    return counts


def rejected_keys(report, table: str) -> set:
    return {e["key"] for e in report.entries if e["table"] == table and e["outcome"] == "rejected"}


def model_for(db_table: str):
    return next(m for m in apps.get_models() if m._meta.db_table == db_table)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_source_row_is_accounted_for(name):
    report = import_sample(name)
    counts = manifest_counts(name)
    tables = {table: stats for (_, table), stats in report.tables.items() if stats.present}
    # Every table of the file is read entirely, and read = imported + skipped + rejected.
    assert {t: s.read for t, s in tables.items()} == {t: n for t, n in counts.items()}
    assert report.balanced
    assert all(s.read == s.imported + sum(s.skipped.values()) + s.rejected for s in tables.values())
    # What the report calls imported is what PostgreSQL holds (the database started with only the
    # seeded reference data, which the legacy rows overwrite or join).
    mapped = {t.name: t for m in discover_mappings().values() for t in m.tables if t.model is not None}
    for table, stats in tables.items():
        if table in mapped and not mapped[table].reference:
            assert mapped[table].model.objects.count() == stats.imported, table
    # Every non-imported row is in the report, one entry per row, with its reason.
    for table, stats in tables.items():
        listed = [
            e for e in report.entries if e["table"] == table and e["outcome"] in ("skipped", "rejected")
        ]
        assert len({e["key"] for e in listed}) == stats.rejected + sum(stats.skipped.values()), table
        assert all(e["reason"] for e in listed)
    assert report.source["schema_version"] == manifest(name)["schema"]["max_migration_version"]


@pytest.mark.parametrize("name", ["clean", "dirty", "dirty_split", "v15_partial"])
def test_users_sign_in_with_their_old_password(name):
    report = import_sample(name)
    rejected = rejected_keys(report, "user")
    checked = 0
    for entry in manifest(name)["users"]:
        if not entry["password"] or entry["id"] in rejected:
            continue
        user = User.objects.get(id=entry["id"])
        assert user.email == entry["email"].strip().lower()
        if entry.get("password_hash_replaced"):
            # A foreign hash is not carried over (reported); the user resets the password.
            assert not user.has_usable_password()
            continue
        assert user.password.startswith("better_auth_scrypt$")
        assert not user.check_password(entry["password"] + "x")
        assert user.check_password(entry["password"]), entry["email"]
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name", ["clean", "dirty", "dirty_split", "v8", "v15_partial"])
def test_credentials_decrypt_to_their_plaintext_through_the_model(name):
    report = import_sample(name)
    owner = (
        User.objects.get(email=manifest(name)["users"][0]["email"].strip().lower())
        if manifest(name)["users"]
        else None
    )
    rejected = rejected_keys(report, "provider_credentials")
    for credential in manifest(name)["credentials"]:
        fields = credential["fields"]
        decryptable = all(f["decryptable_with_configured_key"] or f["stored"] == "" for f in fields.values())
        if not decryptable or credential["auth_type"] not in ("api_key", "oauth", "device_flow"):
            assert credential["id"] in rejected
            continue
        if owner is None:  # v8 has no users: single-tenant data has no owner
            assert credential["id"] in rejected
            continue
        row = ProviderCredential.objects.get(id=credential["id"])
        assert row.user_id == owner.id
        for column, field in fields.items():
            attribute = column.removesuffix("_encrypted")
            expected = field["plaintext"] or None
            assert getattr(row, attribute) == expected, (credential["id"], column)
    # Legacy plaintext secrets of `providers` are encrypted at rest, still readable through the model.
    for secret in manifest(name)["legacy_plaintext_provider_secrets"]:
        provider = LegacyProvider.objects.get(id=secret["id"])
        assert getattr(provider, secret["column"]) == secret["plaintext"]
        assert (
            not LegacyProvider.objects.filter(id=secret["id"])
            .extra(where=[f'"{secret["column"]}" = %s'], params=[secret["plaintext"]])
            .exists()
        )


@pytest.mark.parametrize("name", ["clean", "dirty", "dirty_split", "v15_partial"])
def test_unexpired_sessions_keep_their_token_and_expired_ones_are_skipped(name):
    report = import_sample(name)
    now = manifest_now(name)
    sessions = manifest(name)["sessions"]
    live = [s for s in sessions if not s["expired_at_generation_now"]]
    assert live, "the sample should have sessions still valid at its own now"
    for entry in live:
        session = Session.objects.get(id=entry["id"])
        assert (session.token, session.user_id) == (entry["token"], entry["user_id"])
        assert session.expires_at > now
    for entry in sessions + manifest(name).get("orphaned_user_sessions", []):
        if entry["expired_at_generation_now"]:
            assert not Session.objects.filter(id=entry["id"]).exists()
    stats = next(s for (_, t), s in report.tables.items() if t == "session")
    assert (
        stats.skipped["expired session"]
        == len(sessions) + len(manifest(name).get("orphaned_user_sessions", [])) - Session.objects.count()
    )


def test_github_accounts_are_imported_for_allauth_to_find_the_user():
    import_sample("clean")
    for entry in manifest("clean")["users"]:
        if entry["github_account_id"]:
            account = Account.objects.get(provider_id="github", account_id=entry["github_account_id"])
            assert account.user_id == entry["id"]
    from accounts.services import user_for_legacy_social_account

    github_user = next(u for u in manifest("clean")["users"] if u["github_account_id"])
    assert (
        user_for_legacy_social_account(provider="github", uid=github_user["github_account_id"]).id
        == github_user["id"]
    )


def test_an_imported_user_signs_in_through_the_api_and_the_hash_is_upgraded(client):
    import_sample("clean")
    entry = next(u for u in manifest("clean")["users"] if u["password"])
    response = client.post(
        "/api/auth/sign-in/email",
        {"email": entry["email"], "password": entry["password"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(id=entry["id"])
    assert not user.password.startswith("better_auth_scrypt$")
    assert user.check_password(entry["password"])


def test_the_report_never_holds_a_secret(tmp_path):
    report = import_sample("dirty")
    path = tmp_path / "report.json"
    report.write(path)
    text = path.read_text()
    data = json.loads(text)
    assert data["invariant_holds"] is True
    secrets = [
        f["plaintext"]
        for c in manifest("dirty")["credentials"]
        for f in c["fields"].values()
        if f["plaintext"]
    ]
    secrets += [
        f["stored"] for c in manifest("dirty")["credentials"] for f in c["fields"].values() if f["stored"]
    ]
    secrets += [s["plaintext"] for s in manifest("dirty")["legacy_plaintext_provider_secrets"]]
    secrets += [u["password"] for u in manifest("dirty")["users"] if u["password"]]
    secrets += [
        s["token"] for s in manifest("dirty")["sessions"] + manifest("dirty")["orphaned_user_sessions"]
    ]
    assert secrets
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize("name", SAMPLES)
def test_the_legacy_file_is_not_changed(name):
    main, auth = sample_paths(name)
    files = [p for p in (main, auth) if p]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    import_sample(name)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files} == before
    assert not list(DATA.glob("*-wal")) and not list(DATA.glob("*-shm"))
