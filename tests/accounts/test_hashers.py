"""The Better Auth scrypt hasher verifies carried-over hashes and is upgraded on sign-in."""

import hashlib
import unicodedata

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from accounts.hashers import BetterAuthScryptPasswordHasher, from_better_auth
from tests.factories import UserFactory

SALT = "0123456789abcdef0123456789abcdef"


def better_auth_hash(password: str, salt: str = SALT) -> str:
    """What Better Auth 1.4.6 stores (spec legacy-sqlite section 3), computed independently."""
    key = hashlib.scrypt(
        unicodedata.normalize("NFKC", password).encode(),
        salt=salt.encode(),
        n=16384,
        r=16,
        p=1,
        dklen=64,
        maxmem=64 * 1024 * 1024,
    )
    return f"{salt}:{key.hex()}"


def test_a_better_auth_hash_verifies_with_the_right_password_only():
    encoded = from_better_auth(better_auth_hash("correct horse 1"))
    assert encoded.startswith("better_auth_scrypt$" + SALT + ":")
    assert isinstance(identify_hasher(encoded), BetterAuthScryptPasswordHasher)
    assert check_password("correct horse 1", encoded)
    assert not check_password("correct horse 2", encoded)


def test_the_password_is_nfkc_normalised_and_the_salt_used_as_text():
    # Full-width letters normalise to ASCII under NFKC, as Better Auth does before hashing.
    encoded = from_better_auth(better_auth_hash("Password-1"))
    assert check_password("Ｐａｓｓｗｏｒｄ-1", encoded)
    decoded_salt_key = hashlib.scrypt(
        b"Password-1", salt=bytes.fromhex(SALT), n=16384, r=16, p=1, dklen=64, maxmem=64 * 1024 * 1024
    ).hex()
    assert not encoded.endswith(decoded_salt_key)


def test_only_well_formed_better_auth_hashes_are_carried_over():
    assert from_better_auth("$2b$10$" + "a" * 53) is None
    assert from_better_auth("short:abc") is None
    assert from_better_auth("") is None


@pytest.mark.django_db
def test_a_successful_check_upgrades_the_hash_to_the_preferred_hasher(settings):
    user = UserFactory()
    user.password = from_better_auth(better_auth_hash("my old password"))
    user.save()
    assert not user.check_password("wrong password")
    user.refresh_from_db()
    assert user.password.startswith("better_auth_scrypt$")
    assert user.check_password("my old password")
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == identify_hasher(make_password("x")).algorithm
    assert not user.password.startswith("better_auth_scrypt$")
    assert user.check_password("my old password")


def test_the_hasher_is_listed_after_the_default_one(settings):
    from config.settings import base

    hashers = base.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "accounts.hashers.BetterAuthScryptPasswordHasher" in hashers[1:]
