"""Primary-key generators, one per id format the legacy server used (api-contract section 3).

Ids are opaque text: rows imported from SQLite keep theirs, new rows get the same shape of id the
old server would have given them, so clients that pattern-match ids keep working.
"""

import secrets
import string
import uuid

_ALPHANUMERIC = string.ascii_letters + string.digits
_NANOID_ALPHABET = string.ascii_letters + string.digits + "_-"


def better_auth_id() -> str:
    """Users, sessions and accounts: Better Auth's 32-character alphanumeric id."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(32))


def nanoid(size: int = 21) -> str:
    """Onboarding sessions and knowledge documents: nanoid's default 21 URL-safe characters."""
    return "".join(secrets.choice(_NANOID_ALPHABET) for _ in range(size))


def sandbox_id() -> str:
    """Sandboxes: nanoid(12)."""
    return nanoid(12)


def uuid4_str() -> str:
    """Everything else: a UUID v4 string."""
    return str(uuid.uuid4())


def session_token() -> str:
    """A Better Auth session token: 32 alphanumeric characters."""
    return better_auth_id()
