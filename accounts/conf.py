"""The accounts app's settings, with their defaults (see `core.conf`)."""

from core.conf import AppSettings

account_settings = AppSettings({
    # How long a verified session is served from memory at most (accounts/session_cache.py); 0 turns the
    # cache off. Sign-out and revocation end it sooner, whatever this is.
    "SESSION_CACHE_SECONDS": 30,
})
