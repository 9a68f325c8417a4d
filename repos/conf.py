"""Repository settings with their defaults, read at call time (so tests can change them with `settings`).

`REPOS_DIR` itself is in config/settings/base.py (an environment variable); the limits below are Django
settings with defaults that suit a desktop or small server deployment.

    from repos.conf import repos_settings
    repos_settings.REPOS_CLONE_TIMEOUT
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds a whole clone may take, and seconds a clone may wait for the server to say anything.
    "REPOS_CLONE_TIMEOUT": 300,
    "REPOS_CLONE_IDLE_TIMEOUT": 30,
    # Bytes a clone may download (the pack as received).
    "REPOS_CLONE_MAX_BYTES": 1024 * 1024 * 1024,
    # URL schemes a clone may use. "file" also allows a plain local path: never in production, where it
    # would let a user copy any repository the server can read (another user's included). Tests add
    # "http" (the loopback smart-HTTP server) and "file".
    "REPOS_CLONE_SCHEMES": ("https",),
    # The largest file the API reads or writes in one request.
    "REPOS_MAX_FILE_BYTES": 10 * 1024 * 1024,
    # Seconds a write waits for another write to the same repository before answering 409.
    "REPOS_LOCK_TIMEOUT": 10,
}


class _ReposSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, name, DEFAULTS[name])


repos_settings = _ReposSettings()
