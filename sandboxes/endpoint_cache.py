"""Where each running sandbox's OpenCode is, kept in memory while its row is unchanged: every proxied call
to OpenCode needs it, and the lookup was the largest part of the proxy's own time
(bench/opencode_proxy_overhead.py under py-spy).

Kept per sandbox id: `(owner id, OpenCodeEndpoint)`, for running sandboxes only. The entries are
`core.db.notifications.NotifiedCache`'s: the model's save and delete signals end one at once in this
process (every status change goes through `save()`, see `services._set_status`), and the trigger on
`sandboxes` (migration 0004) in every process when a change of its owner, status, container, OpenCode
address or deletion commits.
"""

from core.db.notifications import NotifiedCache

SANDBOX_CHANNEL = "agentpod_sandbox_changed"  # payload: the sandbox's id

running = NotifiedCache()  # sandbox id → (owner id, OpenCodeEndpoint)


def subscribe() -> None:
    """Follow the trigger's notifications (called once, from the app's `ready()`)."""
    running.forget_keys_on(SANDBOX_CHANNEL)
