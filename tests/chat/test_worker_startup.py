"""The `sync_chats` worker and an OpenCode that is still starting, as after every start of a sandbox.

A fresh `opencode serve` (1.18.33) never answers the first request that reaches it while it starts: no
status line, no byte, until the client gives up (measured: 12 s, 40 s and 60 s waits; the requests that
come a moment later answer at once). The worker begins following a sandbox as soon as its row says
`running`, before OpenCode listens, and retries quickly, so its `/event` request is often that first
request. `AsyncOpenCodeClient.events()` therefore waits for the first event (sent at once by a healthy
OpenCode) only SANDBOX_OPENCODE_CONNECT_TIMEOUT; before, it waited the 30 s read timeout, and every start
of a sandbox delayed its sync by half a minute.
"""

from __future__ import annotations

import time

import pytest

from chat.models import ChatSyncState
from sandboxes.credentials import opencode_password
from tests.factories import SandboxFactory, UserFactory
from tests.support.chat_worker import RunningWorker, wait_for
from tests.support.opencode_process import OpenCodeProcess

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SANDBOX_ID = "startupSbx01"


def test_the_worker_syncs_a_sandbox_within_seconds_of_its_opencode_starting(opencode_binary, model):
    process = OpenCodeProcess(opencode_binary, config=model.opencode_config(),
                              password=opencode_password(SANDBOX_ID))
    try:
        # The container has just started: the row is running, OpenCode is launched but not listening yet.
        process.spawn()
        launched = time.monotonic()
        sandbox = SandboxFactory(id=SANDBOX_ID, user=UserFactory(), status="running", opencode_url=process.base_url)
        # Retrying every 50 ms, the worker's `/event` is the first request to reach OpenCode.
        with RunningWorker(backoff_initial=0.05, backoff_max=0.05):
            synced = wait_for(lambda: ChatSyncState.objects.filter(
                sandbox=sandbox, last_sync_at__isnull=False).exists(), timeout=15)
            waited = time.monotonic() - launched
            state = ChatSyncState.objects.filter(sandbox=sandbox).values("reconnect_attempts", "last_error").first()
        assert synced, f"not synced {waited:.0f} s after OpenCode was launched: {state}"
    finally:
        process.cleanup()
