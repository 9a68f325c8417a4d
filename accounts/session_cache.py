"""Verified Better Auth sessions, kept in memory for a short while so that a request's credential costs no
query (measured with bench/profile_hot_path.py: the session lookup was two thirds of a cached GET's CPU).

What is kept is what the lookup found: the session row and its user's row, by token. A kept session is
served only while it is unexpired, for at most `MEMORY_CACHE_SECONDS`, and only while this process
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

from core.db.notifications import NotifiedCache

from .models import Session, User

SESSION_CHANNEL = "agentpod_session_changed"  # payload: the session's token
USER_CHANNEL = "agentpod_user_changed"  # payload: the user's id

_SESSION_FIELDS = [field.attname for field in Session._meta.concrete_fields]
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]

# token → (the session's values, the user's values), grouped by user id
sessions = NotifiedCache()


def get(token: str) -> Session | None:
    """The session kept for `token`, with its user; None when none is, or none may be served now."""
    values = sessions.get(token)
    if values is None:
        return None
    session = Session.from_db("default", _SESSION_FIELDS, values[0])
    session.user = User.from_db("default", _USER_FIELDS, values[1])
    return session


def put(session: Session, *, read_at: int) -> None:
    """Keep a session read from the database (with its user) since `sessions.generation` was `read_at`."""
    sessions.put(session.token, (tuple(getattr(session, name) for name in _SESSION_FIELDS),
                                 tuple(getattr(session.user, name) for name in _USER_FIELDS)),
                 read_at=read_at, group=session.user_id)


def forget_token(token: str) -> None:
    sessions.forget(token)


def forget_user(user_id: str) -> None:
    sessions.forget_group(user_id)


def subscribe() -> None:
    """Follow the triggers' notifications (called once, from the app's `ready()`)."""
    sessions.forget_keys_on(SESSION_CHANNEL)
    sessions.forget_groups_on(USER_CHANNEL)
