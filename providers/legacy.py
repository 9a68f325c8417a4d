"""Legacy mapping of `providers` (single-tenant, legacy), `provider_credentials` and `oauth_state`.

Credentials were global in SQLite and encrypted with the old server's AES-256-GCM scheme: they are
decrypted with --legacy-encryption-key and assigned to the owner; the plaintext is given to the
model's EncryptedTextField encryption (core.fields.encrypt_text), never logged or reported. Plaintext
secrets of the legacy `providers` table (releases 0-1) are encrypted the same way.
"""

from core.fields import encrypt_text
from legacy.crypto import LegacyDecryptError, legacy_decrypt
from legacy.mapping import Parent, Table
from legacy.values import Cleaner, Reject

from .models import AuthType, LegacyProvider, ProviderCredential

DEPENDS_ON = ("accounts",)
ORDER = 40

_AUTH_TYPES = set(AuthType.values)
_SECRETS = ("api_key_encrypted", "access_token_encrypted", "refresh_token_encrypted")

# Report wording the engine uses in its hints (legacy.mapping).
SINGLE_TENANT_DATA = "global provider credentials"
ENCRYPTED_DATA = "encrypted credentials"


def _plain_secret(c: Cleaner, column: str, value) -> str | None:
    value = c.text(column, value)
    if not value:
        return None
    c.fix(column, value, "plaintext secret encrypted at rest")
    return encrypt_text(value)


def convert_provider(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("type", row["type"], required=True),
        _plain_secret(c, "api_key", row.get("api_key")),
        _plain_secret(c, "access_token", row.get("access_token")),
        _plain_secret(c, "refresh_token", row.get("refresh_token")),
        c.timestamp("token_expires_at", row.get("token_expires_at")),
        c.boolean("is_default", row.get("is_default"), default=False),
        c.boolean("is_configured", row.get("is_configured"), default=False),
        created,
        updated,
    )


def _reencrypt(c: Cleaner, ctx, column: str, value) -> str | None:
    if value is None:
        return None
    value = c.text(column, value)
    if value == "":
        c.fix(column, "", "empty secret (the old server's encrypt('')): stored as NULL")
        return None
    try:
        plaintext = legacy_decrypt(value, ctx.legacy_key(column))
    except LegacyDecryptError as error:
        ctx.wrong_key_hint()
        raise Reject(f"cannot decrypt {column}: {error}", column, value, secret=True) from None
    return encrypt_text(plaintext)


def convert_credential(row: dict, c: Cleaner, ctx) -> tuple:
    owner = ctx.owner_id()
    auth_type = c.choice("auth_type", row["auth_type"], _AUTH_TYPES, required=True)
    secrets = [_reencrypt(c, ctx, column, row.get(column)) for column in _SECRETS]
    created, updated = c.created_updated(row)
    return (
        row["id"],
        owner,
        c.text("provider_id", row["provider_id"], required=True),
        auth_type,
        *secrets,
        c.timestamp("token_expires_at", row.get("token_expires_at")),
        c.text("oauth_provider", row.get("oauth_provider")),
        c.json_text("oauth_scopes", row.get("oauth_scopes"), default=None),
        created,
        updated,
    )


TABLES = [
    Table(
        "providers",
        LegacyProvider,
        (
            "id",
            "name",
            "type",
            "api_key",
            "access_token",
            "refresh_token",
            "token_expires_at",
            "is_default",
            "is_configured",
            "created_at",
            "updated_at",
        ),
        convert_provider,
        secret_columns=frozenset({"api_key", "access_token", "refresh_token"}),
    ),
    Table(
        "provider_credentials",
        ProviderCredential,
        (
            "id",
            "user_id",
            "provider_id",
            "auth_type",
            "api_key_encrypted",
            "access_token_encrypted",
            "refresh_token_encrypted",
            "token_expires_at",
            "oauth_provider",
            "oauth_scopes",
            "created_at",
            "updated_at",
        ),
        convert_credential,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id", "provider_id"),),
        secret_columns=frozenset(_SECRETS),
        needs_db=True,
    ),
    Table("oauth_state", skip_reason="transient device-flow state without a user, not imported"),
]
