"""The two secrets of a sandbox, both derived from the server's secret and the sandbox id (HMAC), so
none is stored; a deleted sandbox's credential dies with it (its row stays, soft deleted, but
`sandboxes.authentication` never finds a deleted sandbox).

- `opencode_password(sandbox_id)`: the sandbox's OpenCode server requires it (`OPENCODE_SERVER_PASSWORD`,
  HTTP Basic user `opencode`); the API sends it, clients never see it (DECISIONS 24). Nothing else on
  the container network can drive that agent.
- `sandbox_api_token(sandbox_id)`: the container's credential towards this API (`AGENTPOD_API_TOKEN`),
  which authenticates as "sandbox S of user U" (`sandboxes.authentication`), instead of the global
  service token, which never enters a container (DECISIONS 31).

Rotating `SECRET_KEY` rotates both; running containers keep the old values until they are recreated.
"""

from __future__ import annotations

import hmac

from django.utils.crypto import salted_hmac

TOKEN_PREFIX = "agentpod-sandbox"


def _digest(purpose: str, sandbox_id: str) -> str:
    return salted_hmac(f"agentpod.sandboxes.{purpose}", sandbox_id, algorithm="sha256").hexdigest()


def opencode_password(sandbox_id: str) -> str:
    return _digest("opencode-password", sandbox_id)


def sandbox_api_token(sandbox_id: str) -> str:
    """`agentpod-sandbox.<sandbox id>.<hmac>`: the id says which sandbox, the HMAC proves the server made it."""
    return f"{TOKEN_PREFIX}.{sandbox_id}.{_digest('api-token', sandbox_id)}"


def sandbox_id_from_token(value: str) -> str | None:
    """The sandbox a token was made for, or None for anything that is not a valid sandbox token."""
    prefix, _, rest = value.partition(".")
    sandbox_id, _, digest = rest.rpartition(".")
    if prefix != TOKEN_PREFIX or not sandbox_id or not digest:
        return None
    if not hmac.compare_digest(digest.encode(), _digest("api-token", sandbox_id).encode()):
        return None
    return sandbox_id
