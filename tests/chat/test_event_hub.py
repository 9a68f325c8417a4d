"""chat.event_hub against a real OpenCode: a client that goes is let go of at once, whatever it was doing."""

from __future__ import annotations

import asyncio

import pytest

from chat import event_hub


def test_a_cancellation_as_an_event_is_handed_over_ends_the_relay(agent_opencode):
    """The server cancels the relay when its client goes. If that lands in the loop iteration where the
    queue hands the relay an event, the relay must still end and unsubscribe, not stream on to nobody."""

    async def scenario():
        relay = event_hub.relay_events(agent_opencode.endpoint, heartbeat=30)
        assert await anext(relay) == b": connected\n\n"
        hub = event_hub.hub_for(agent_opencode.endpoint)
        (queue,) = hub._subscribers
        assert (await anext(relay)).startswith(b"event: server.connected\n")

        reading = asyncio.ensure_future(anext(relay))
        await asyncio.sleep(0.05)  # the relay now waits on its queue
        queue.put_nowait(b"event: x\ndata: {}\n\n")
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):  # not the event: its client has gone
            await reading
        assert not hub._subscribers
        await asyncio.sleep(0.1)  # the pump's own cancellation runs
        assert not event_hub._HUBS[asyncio.get_running_loop()]

    asyncio.run(scenario())
