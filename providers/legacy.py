"""Legacy mapping of `providers` (single-tenant, legacy), `provider_credentials` and `oauth_state`.

Credentials were global in SQLite and encrypted with the old server's AES-256-GCM scheme: they are
decrypted with --legacy-encryption-key and assigned to the owner; the plaintext is given to the
model's EncryptedTextField encryption (core.fields.encrypt_text), never logged or reported. Plaintext
secrets of the legacy `providers` table (releases 0-1) are encrypted the same way. A secret PostgreSQL
already holds with the same plaintext keeps its ciphertext, so a re-run changes nothing.

The export turns them back: the owner's credentials re-encrypted with the old server's key (other
users' have no place in the global legacy table and are left out, listed), the legacy `providers`
secrets in clear as the old server kept them; device-flow state is transient and not exported.
"""

from django.db import connection
from django_cryptography.utils.crypto import InvalidToken

from core.fields import decrypt_text, encrypt_text
from legacy.crypto import LegacyDecryptError, legacy_decrypt, legacy_encrypt
from legacy.export import ExportTable, flag, iso, sqlite_time
from legacy.mapping import Parent, Table
from legacy.values import Cleaner, Reject

from .models import AuthType, LegacyProvider, OAuthState, ProviderCredential

DEPENDS_ON = ("accounts",)
ORDER = 40

_AUTH_TYPES = set(AuthType.values)
_SECRETS = ("api_key_encrypted", "access_token_encrypted", "refresh_token_encrypted")
_PLAIN = ("api_key", "access_token", "refresh_token")  # the legacy `providers` secrets

# Report wording the engine uses in its hints (legacy.mapping).
SINGLE_TENANT_DATA = "global provider credentials"
ENCRYPTED_DATA = "encrypted credentials"


def _known_secrets(table: str, columns: tuple[str, ...]):
    """A `prepare` hook: the secrets PostgreSQL holds for `table`, by id and column, with their
    plaintext, so an unchanged secret keeps its ciphertext (Fernet output differs on every call)."""

    def prepare(ctx, source) -> None:
        known = ctx.state.setdefault("secrets", {}).setdefault(table, {})
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT id, {", ".join(columns)} FROM "{table}"')
            for key, *values in cursor.fetchall():
                for column, ciphertext in zip(columns, values):
                    if ciphertext is not None:
                        try:
                            known[(key, column)] = (ciphertext, decrypt_text(ciphertext))
                        except (InvalidToken, ValueError):  # unreadable with today's key: not reused
                            continue

    return prepare


def _encrypt(ctx, table: str, key, column: str, plaintext: str) -> str:
    ciphertext, known = ctx.state.get("secrets", {}).get(table, {}).get((key, column), (None, None))
    return ciphertext if known == plaintext else encrypt_text(plaintext)


def _plain_secret(c: Cleaner, ctx, key, column: str, value) -> str | None:
    value = c.text(column, value)
    if not value:
        return None
    c.fix(column, value, "plaintext secret encrypted at rest")
    return _encrypt(ctx, "providers", key, column, value)


def convert_provider(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("type", row["type"], required=True),
        *(_plain_secret(c, ctx, row["id"], name, row.get(name)) for name in _PLAIN),
        c.timestamp("token_expires_at", row.get("token_expires_at")),
        c.boolean("is_default", row.get("is_default"), default=False),
        c.boolean("is_configured", row.get("is_configured"), default=False),
        created,
        updated,
    )


def _reencrypt(c: Cleaner, ctx, key, column: str, value) -> str | None:
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
    return _encrypt(ctx, "provider_credentials", key, column, plaintext)


def convert_credential(row: dict, c: Cleaner, ctx) -> tuple:
    owner = ctx.owner_id()
    auth_type = c.choice("auth_type", row["auth_type"], _AUTH_TYPES, required=True)
    secrets = [_reencrypt(c, ctx, row["id"], column, row.get(column)) for column in _SECRETS]
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
        secret_columns=frozenset(_PLAIN),
        prepare=_known_secrets("providers", _PLAIN),
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
        prepare=_known_secrets("provider_credentials", _SECRETS),
        needs_db=True,
    ),
    Table("oauth_state", skip_reason="transient device-flow state without a user, not imported"),
]


# -- export -----------------------------------------------------------------------------------------

def _decrypt(row: dict, column: str) -> str | None:
    if row[column] is None:
        return None
    try:
        return decrypt_text(row[column])
    except (InvalidToken, ValueError):  # encrypted with another CRYPTOGRAPHY_KEY, or not ciphertext
        reason = f"cannot decrypt {column} with this server's CRYPTOGRAPHY_KEY"
        raise Reject(reason, column, secret=True) from None


def export_provider(row: dict, ctx) -> dict:
    for column in _PLAIN:
        row[column] = _decrypt(row, column)
    return row


def export_credential(row: dict, ctx) -> dict:
    if row["_user_id"] != ctx.owner_id():
        raise Reject(
            "another user's credential: the legacy table holds one global credential per provider (the "
            "owner's)",
            "user_id",
            row["_user_id"],
        )
    for column in _SECRETS:
        plaintext = _decrypt(row, column)
        if plaintext is not None:
            row[column] = legacy_encrypt(plaintext, ctx.legacy_key(column))
    return row


EXPORT_TABLES = [
    ExportTable(
        "providers",
        LegacyProvider,
        ("id", "name", "type", *_PLAIN, iso("token_expires_at"), flag("is_default"), flag("is_configured"),
         sqlite_time("created_at"), sqlite_time("updated_at")),
        convert=export_provider,
        secret_columns=frozenset(_PLAIN),
    ),
    ExportTable(
        "provider_credentials",
        ProviderCredential,
        ("id", "provider_id", "auth_type", *_SECRETS, iso("token_expires_at"), "oauth_provider",
         "oauth_scopes", sqlite_time("created_at"), sqlite_time("updated_at")),
        extra=(("_user_id", "t.user_id"),),
        convert=export_credential,
        secret_columns=frozenset(_SECRETS),
    ),
    ExportTable(
        "oauth_state",
        OAuthState,
        skip_reason="transient device-flow state, not exported",
    ),
]
