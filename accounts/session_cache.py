"""Verified Better Auth sessions, kept in memory for a short while so that a request's credential costs no
query (measured with bench/profile_hot_path.py: the session lookup was two thirds of a cached GET's CPU).

What is kept is what the lookup found: the session row and its user's row, by token. A kept session is
served only while it is unexpired, for at most `SESSION_CACHE_SECONDS`, and only while this process
receives the database's notifications; anything that changes either row ends it first:

- in this process, at once: the models' save and delete signals (`accounts/receivers.py`), so sign-out,
  a revoked session, a deleted or edited user are seen by the very next request;
- in every process, when the change commits: triggers on `session` and `user` (migration 0003) send a
  notification that `core.db.notifications.listener` hands to `forget_token` / `forget_user`. This catches
  what no signal sees: another server process, a bulk update, SQL typed in psql, a cascade.

Each request gets fresh model instances built from the kept values, so a view that edits `request.user`
never edits what another request reads.
"""

from __future__ import annotations

import threading
import time

from core.db.notifications import listener

from .conf import account_settings
from .models import Session, User

SESSION_CHANNEL = "agentpod_session_changed"  # payload: the session's token
USER_CHANNEL = "agentpod_user_changed"  # payload: the user's id
MAX_ENTRIES = 10_000

_SESSION_FIELDS = [field.attname for field in Session._meta.concrete_fields]
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_ID = _USER_FIELDS.index("id")

# token → (monotonic time it was verified, the session's values, the user's values)
_entries: dict[str, tuple[float, tuple, tuple]] = {}
_lock = threading.Lock()


def get(token: str) -> Session | None:
    """The session kept for `token`, with its user; None when none is, or none may be served now."""
    entry = _entries.get(token)
    if entry is None:
        return None
    verified_at, session_values, user_values = entry
    if time.monotonic() - verified_at > account_settings.SESSION_CACHE_SECONDS or not listener.listening:
        _entries.pop(token, None)
        return None
    session = Session.from_db("default", _SESSION_FIELDS, session_values)
    session.user = User.from_db("default", _USER_FIELDS, user_values)
    return session


def put(session: Session) -> None:
    """Keep a session just read from the database (with its user), when notifications are being received."""
    if account_settings.SESSION_CACHE_SECONDS <= 0 or not listener.listening:
        return
    values = (time.monotonic(), tuple(getattr(session, name) for name in _SESSION_FIELDS),
              tuple(getattr(session.user, name) for name in _USER_FIELDS))
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[session.token] = values


def forget_token(token: str) -> None:
    """Forget one session; an empty token (a TRUNCATE's notification) forgets them all."""
    if not token:
        return clear()
    _entries.pop(token, None)


def forget_user(user_id: str) -> None:
    """Forget every session of one user; an empty id (a TRUNCATE's notification) forgets them all."""
    if not user_id:
        return clear()
    with _lock:
        for token in [token for token, entry in _entries.items() if entry[2][_USER_ID] == user_id]:
            _entries.pop(token, None)


def clear() -> None:
    with _lock:
        _entries.clear()


def subscribe() -> None:
    """Follow the triggers' notifications (called once, from the app's `ready()`)."""
    listener.subscribe(SESSION_CHANNEL, forget_token, on_gap=clear)
    listener.subscribe(USER_CHANNEL, forget_user, on_gap=clear)
