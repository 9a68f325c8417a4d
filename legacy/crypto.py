"""The old server's provider-credential encryption (apps/api/src/utils/encryption.ts): decrypt for the
import, encrypt for the export (a file the old server reads back with its own key).

AES-256-GCM; the key is the `ENCRYPTION_KEY` string itself, right-padded with '0' or cut to 32
characters, UTF-8 encoded (no KDF); stored value = base64(IV[12] ‖ ciphertext ‖ tag[16]); '' is an
empty secret.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class LegacyDecryptError(ValueError):
    pass


def legacy_key(key_string: str) -> bytes:
    key = key_string.ljust(32, "0")[:32].encode()
    if len(key) != 32:
        raise LegacyDecryptError("the legacy encryption key must be ASCII (the old server required it)")
    return key


def legacy_decrypt(stored: str, key: bytes) -> str:
    if stored == "":
        return ""
    try:
        raw = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        raise LegacyDecryptError("not base64: the value is not encrypted with the legacy scheme") from None
    if len(raw) < 12 + 16:
        raise LegacyDecryptError(f"ciphertext too short ({len(raw)} bytes): truncated")
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        raise LegacyDecryptError(
            "authentication failed: wrong legacy encryption key, or not encrypted"
        ) from None
    except UnicodeDecodeError:
        raise LegacyDecryptError("decrypted bytes are not UTF-8") from None


def legacy_encrypt(plaintext: str, key: bytes) -> str:
    """As the old server's encrypt(): a fresh 12-byte IV, AES-256-GCM without AAD (WebCrypto appends the
    16-byte tag), base64 with padding; an empty secret is stored as ''."""
    if plaintext == "":
        return ""
    iv = os.urandom(12)
    return base64.b64encode(iv + AESGCM(key).encrypt(iv, plaintext.encode(), None)).decode("ascii")
