"""Each user's preferences as the API shows them, kept in memory between changes: every signed-in client
reads them often, and they change only when their user changes them (measured with
bench/http_throughput.py: the query and the serializer were most of the endpoint's time).

The entries are `core.db.notifications.NotifiedCache`'s: the save and delete signals end one at once in
this process (`receivers.py`), the trigger on `user_preferences` (migration 0004) in every process when
the change commits: the sync endpoint, the admin, an import, SQL typed in psql.
"""

from core.db.notifications import NotifiedCache

PREFERENCES_CHANNEL = "agentpod_preferences_changed"  # payload: the user's id

shown = NotifiedCache()  # user id → the serialized preferences


def subscribe() -> None:
    """Follow the trigger's notifications (called once, from the app's `ready()`)."""
    shown.forget_keys_on(PREFERENCES_CHANNEL)
