"""Legacy mapping of the Better Auth tables (`user`, `account`, `session`, `verification`).

They come from the main legacy file, or from `--auth-db` when Better Auth lived in its own file.
Better Auth column names are camelCase; ours are snake_case. The credential account's `salt:hash`
moves to `user.password` (prefixed for accounts.hashers.BetterAuthScryptPasswordHasher), where
Django's hashers check it and upgrade it on the first sign-in; the `account` row itself is imported
too (without the hash, as accounts.services creates credential accounts), and GitHub accounts keep
their `account_id`, which is how allauth sign-in finds the same user (accounts.adapters).

The export (`EXPORT_TABLES`) writes them back: a password still (or again, with
LEGACY_PASSWORD_TRANSITION) in the Better Auth format goes back into the credential account's
`password`; a user whose password the old server cannot verify is listed in the report. GitHub links
keep their raw token, and unexpired sessions their raw token, so clients stay signed in.
"""

from django.contrib.auth.hashers import make_password

from legacy.export import Col, ExportTable, flag, iso
from legacy.mapping import LegacyUsageError, OwnerLookup, Parent, Table
from legacy.sources import LegacyDatabase
from legacy.values import Cleaner, Reject, Skip, parse_timestamp

from .hashers import BetterAuthScryptPasswordHasher, from_better_auth
from .models import Account, Session, User, Verification, normalize_email

DEPENDS_ON = ()
ORDER = 10

_LEGACY_PREFIX = BetterAuthScryptPasswordHasher.algorithm + "$"
# Legacy tables whose rows belong to a Better Auth user.
_USER_DATA_TABLES = ("sandboxes", "user_preferences", "chat_sessions")


# -- hooks the engine calls ---------------------------------------------------------------------------

def check_sources(sources: dict[str, LegacyDatabase]) -> None:
    """From schema version 12 the users own the data: refuse a file that holds user data but whose Better
    Auth tables are missing or empty, unless they come from `--auth-db`."""
    main = sources["main"]
    version = main.schema_version()
    if version is None or version < 12 or "auth" in sources or _has_users(main):
        return
    raise LegacyUsageError(
        f"{main.path} is at schema version {version} but its Better Auth tables are missing or empty while it "
        "holds user data: pass the file that holds them with --auth-db PATH"
    )


def _has_users(main: LegacyDatabase) -> bool:
    """False when user data exists but the Better Auth tables that own it are absent or empty."""
    owned = [t for t in _USER_DATA_TABLES if t in main.tables]
    if not any(main.count(t) for t in owned):
        return True
    return main.has_better_auth() and main.count("user") > 0


def resolve_owner(email: str | None) -> OwnerLookup:
    """The user who receives single-tenant rows: `--owner EMAIL`, else the only user (IMPORT rules)."""
    if email:
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            return OwnerLookup(None, f"owner {email} is not a user: re-run with --owner EMAIL of an imported user")
        return OwnerLookup(user.id, f"single-tenant data assigned to --owner {user.email} ({user.id})")
    users = list(User.objects.values_list("id", "email")[:2])
    if len(users) == 1:
        return OwnerLookup(users[0][0], f"single-tenant data assigned to the only user {users[0][1]} ({users[0][0]})")
    return OwnerLookup(None, "no owner: re-run with --owner EMAIL")



def _load_passwords(ctx, source) -> None:
    if "account" not in source.tables:
        ctx.state["passwords"] = {}
        return
    ctx.state["passwords"] = dict(
        source.connection.execute(
            "SELECT userId, password FROM account WHERE providerId = 'credential' AND password IS NOT NULL "
            "ORDER BY rowid"
        )
    )


def _users_oldest_first(ctx, source):
    """Users ordered by creation time, so that of two e-mails equal after lower-casing the earlier
    user keeps it (the unique check rejects the later one, naming both). The user table is small."""
    cursor = source.connection.execute('SELECT * FROM "user" ORDER BY rowid')
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    far = parse_timestamp("9999-12-31T00:00:00Z")
    rows.sort(key=lambda r: parse_timestamp(r.get("createdAt")) or far)
    for start in range(0, len(rows), ctx.batch_size):
        yield rows[start : start + ctx.batch_size]


def convert_user(row: dict, c: Cleaner, ctx) -> tuple:
    email = c.text("email", row["email"], required=True)
    normalized = email.strip().lower()
    if not normalized:
        raise Reject("empty e-mail", "email", email)
    if normalized != email:
        c.fix("email", email, "e-mail trimmed and lower-cased")
    created, updated = c.created_updated(row, "createdAt", "updatedAt")
    stored = ctx.state["passwords"].get(row["id"])
    password = from_better_auth(stored) if stored else None
    return (
        row["id"],
        c.text("name", row["name"], default=""),
        normalized,
        c.boolean("emailVerified", row["emailVerified"], default=False),
        c.text("image", row.get("image")),
        password or make_password(None),
        created,
        updated,
    )


def convert_account(row: dict, c: Cleaner, ctx) -> tuple:
    provider = c.text("providerId", row["providerId"], required=True)
    stored = row.get("password")
    if stored is not None and provider == "credential" and from_better_auth(str(stored)) is None:
        c.fix(
            "password",
            stored,
            "not a Better Auth scrypt hash: not carried over, the user must reset the password",
        )
    created, updated = c.created_updated(row, "createdAt", "updatedAt")
    return (
        row["id"],
        c.text("accountId", row["accountId"], required=True),
        provider,
        c.text("userId", row["userId"], required=True),
        c.text("accessToken", row.get("accessToken")),
        c.text("refreshToken", row.get("refreshToken")),
        c.text("idToken", row.get("idToken")),
        c.timestamp("accessTokenExpiresAt", row.get("accessTokenExpiresAt")),
        c.timestamp("refreshTokenExpiresAt", row.get("refreshTokenExpiresAt")),
        c.text("scope", row.get("scope")),
        None,
        created,
        updated,
    )


def convert_session(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row, "createdAt", "updatedAt")
    expires = c.timestamp("expiresAt", row["expiresAt"], fallback=updated, required=True)
    if expires <= ctx.now:
        raise Skip("expired session", row["expiresAt"])
    return (
        row["id"],
        expires,
        c.text("token", row["token"], required=True),
        c.text("ipAddress", row.get("ipAddress")),
        c.text("userAgent", row.get("userAgent")),
        c.text("userId", row["userId"], required=True),
        created,
        updated,
    )


# A password changed or upgraded in Django is never overwritten by a re-import; a legacy hash (or an
# unusable placeholder) is replaced by the file's current hash.
_KEEP_DJANGO_PASSWORD = (
    f"CASE WHEN t.password = '' OR t.password LIKE '{_LEGACY_PREFIX}%' THEN EXCLUDED.password "
    "WHEN t.password LIKE '!%' AND EXCLUDED.password NOT LIKE '!%' THEN EXCLUDED.password "
    "ELSE t.password END"
)

TABLES = [
    Table(
        "user",
        User,
        ("id", "name", "email", "email_verified", "image", "password", "created_at", "updated_at"),
        convert_user,
        database="auth",
        unique=(("email",),),
        prepare=_load_passwords,
        rows=_users_oldest_first,
        keep_on_update={"password": _KEEP_DJANGO_PASSWORD},
    ),
    Table(
        "account",
        Account,
        (
            "id",
            "account_id",
            "provider_id",
            "user_id",
            "access_token",
            "refresh_token",
            "id_token",
            "access_token_expires_at",
            "refresh_token_expires_at",
            "scope",
            "password",
            "created_at",
            "updated_at",
        ),
        convert_account,
        database="auth",
        parents=(Parent("user_id", "user"),),
        secret_columns=frozenset({"password", "accessToken", "refreshToken", "idToken"}),
    ),
    Table(
        "session",
        Session,
        ("id", "expires_at", "token", "ip_address", "user_agent", "user_id", "created_at", "updated_at"),
        convert_session,
        database="auth",
        parents=(Parent("user_id", "user"),),
        unique=(("token",),),
        secret_columns=frozenset({"token"}),
    ),
    Table(
        "verification",
        database="auth",
        skip_reason="transient OAuth state (Better Auth verification), not imported",
    ),
]


# -- export -----------------------------------------------------------------------------------------

_PREFIX_SQL = f"'{_LEGACY_PREFIX}'"


def export_user(row: dict, ctx) -> dict:
    password, has_credential = row["_password"], row["_credential"]
    if password and not password.startswith("!"):  # a usable password (else: GitHub only, or none)
        if not password.startswith(_LEGACY_PREFIX):
            ctx.must_reset_password(
                row["id"], row["email"], "password set in the new system with a hasher the old server lacks"
            )
        elif not has_credential:
            ctx.must_reset_password(row["id"], row["email"], "no credential account to hold the password")
    return row


def export_session(row: dict, ctx) -> dict:
    if row["_expired"]:
        raise Skip("expired session", row["expiresAt"])
    return row


EXPORT_TABLES = [
    ExportTable(
        "user",
        User,
        ("id", "name", "email", flag("emailVerified", "t.email_verified"), "image",
         iso("createdAt", "t.created_at"), iso("updatedAt", "t.updated_at")),
        database="auth",
        extra=(
            ("_password", "t.password"),
            ("_credential", "EXISTS (SELECT 1 FROM account a WHERE a.user_id = t.id AND a.provider_id = "
                            "'credential')"),
        ),
        convert=export_user,
    ),
    ExportTable(
        "account",
        Account,
        (
            "id",
            Col("accountId", "t.account_id"),
            Col("providerId", "t.provider_id"),
            Col("userId", "t.user_id"),
            Col("accessToken", "t.access_token"),
            Col("refreshToken", "t.refresh_token"),
            Col("idToken", "t.id_token"),
            iso("accessTokenExpiresAt", "t.access_token_expires_at"),
            iso("refreshTokenExpiresAt", "t.refresh_token_expires_at"),
            "scope",
            # The hash lives in user.password; the old server reads it from the credential account.
            Col("password", f"CASE WHEN t.provider_id = 'credential' AND starts_with(u.password, "
                            f"{_PREFIX_SQL}) THEN substr(u.password, {len(_LEGACY_PREFIX) + 1}) END"),
            iso("createdAt", "t.created_at"),
            iso("updatedAt", "t.updated_at"),
        ),
        database="auth",
        joins='JOIN "user" u ON u.id = t.user_id',
        secret_columns=frozenset({"password", "accessToken", "refreshToken", "idToken"}),
    ),
    ExportTable(
        "session",
        Session,
        ("id", iso("expiresAt", "t.expires_at"), "token", Col("ipAddress", "t.ip_address"),
         Col("userAgent", "t.user_agent"), Col("userId", "t.user_id"), iso("createdAt", "t.created_at"),
         iso("updatedAt", "t.updated_at")),
        database="auth",
        extra=(("_expired", "t.expires_at <= {now}"),),
        convert=export_session,
        secret_columns=frozenset({"token"}),
    ),
    ExportTable(
        "verification",
        Verification,
        database="auth",
        skip_reason="transient sign-in state (verification), not exported",
    ),
]
