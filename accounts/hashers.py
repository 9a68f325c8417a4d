"""Better Auth's scrypt password hash, so users imported from the SQLite server keep their password.

Better Auth 1.4.6 stores `<salt>:<key>` in `account.password`: the salt is 16 random bytes written as
32 lowercase hex characters and used *as that ASCII string* (not decoded); the key is
scrypt(NFKC(password), salt, N=16384, r=16, p=1, dkLen=64) in lowercase hex. The import stores it as
`better_auth_scrypt$<salt>:<key>` in `user.password`. The hasher is listed after Django's default, so
a successful sign-in re-hashes the password with the default hasher (Django's check_password setter).

During the transition (LEGACY_PASSWORD_TRANSITION, config/settings/base.py) it is the preferred
hasher instead: passwords set or changed in the new system are Better Auth hashes, which
`export_sqlite` hands back to the old server, so a rollback keeps every password working.
"""

import hashlib
import secrets
import unicodedata

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _


class BetterAuthScryptPasswordHasher(BasePasswordHasher):
    algorithm = "better_auth_scrypt"
    work_factor = 2**14
    block_size = 16
    parallelism = 1
    dklen = 64
    # scrypt needs 128 * N * r bytes (32 MiB here); OpenSSL's default limit is exactly that, so allow more.
    maxmem = 64 * 1024 * 1024

    def salt(self) -> str:
        return secrets.token_hex(16)

    def encode(self, password: str, salt: str) -> str:
        self._check_encode_args(password, salt)
        key = hashlib.scrypt(
            unicodedata.normalize("NFKC", password).encode(),
            salt=salt.encode(),
            n=self.work_factor,
            r=self.block_size,
            p=self.parallelism,
            maxmem=self.maxmem,
            dklen=self.dklen,
        )
        return f"{self.algorithm}${salt}:{key.hex()}"

    def decode(self, encoded: str) -> dict:
        algorithm, rest = encoded.split("$", 1)
        assert algorithm == self.algorithm
        salt, key = rest.split(":", 1)
        return {"algorithm": algorithm, "salt": salt, "hash": key.lower()}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        expected = f"{self.algorithm}${decoded['salt']}:{decoded['hash']}"
        return constant_time_compare(expected, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("salt"): mask_hash(decoded["salt"], show=2),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        # Better Auth's parameters are fixed. When this is not the preferred hasher, Django upgrades on
        # sign-in anyway (the hasher differs); when it is (the transition), a hash stays as it is.
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


def from_better_auth(stored: str) -> str | None:
    """`salt:key` as Better Auth stored it → the Django password value, or None if it is not one."""
    salt, sep, key = (stored or "").strip().partition(":")
    if not sep or len(salt) != 32 or len(key) != 128:
        return None
    try:
        bytes.fromhex(salt), bytes.fromhex(key)
    except ValueError:
        return None
    return f"{BetterAuthScryptPasswordHasher.algorithm}${salt}:{key.lower()}"
