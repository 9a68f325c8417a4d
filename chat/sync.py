"""Reading a sandbox's conversations from its OpenCode and storing them (`chat.services`), three ways:

- right after a message sent through the proxy (`chat_sync_after_prompt`, as the old server did);
- on demand: `POST .../chat/sessions/{sid}/sync` and `POST .../chat/sync` (`chat_sync_session`,
  `chat_sync_sandbox`);
- continuously, by the `sync_chats` worker (`chat.worker`), as messages complete.

OpenCode being unreachable or failing never fails these callers: the old server swallowed sync errors
and answered 200, and a message that was answered must not turn into an error because its copy could not
be stored. What went wrong is logged; the worker catches up on its next pass.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db import DatabaseError

from core.api.errors import ApiError
from sandboxes.models import Sandbox
from sandboxes.opencode import AsyncOpenCodeClient, OpenCodeClient
from sandboxes.services import sandbox_opencode_endpoint

from .models import ChatSession
from .services import chat_sync_opencode_session

logger = logging.getLogger(__name__)


async def chat_sync_session_async(*, sandbox: Sandbox, session_id: str, opencode: AsyncOpenCodeClient) -> ChatSession:
    """One OpenCode session, read through an open async client, stored. Raises the client's errors."""
    opencode_session, messages = await asyncio.gather(opencode.session_get(session_id),
                                                      opencode.session_messages(session_id))
    return await sync_to_async(chat_sync_opencode_session)(sandbox=sandbox, opencode_session=opencode_session,
                                                          messages=messages)


async def chat_sync_after_prompt(*, sandbox_id: str, session_id: str, opencode: AsyncOpenCodeClient) -> None:
    try:
        sandbox = await Sandbox.objects.aget(pk=sandbox_id)
        await chat_sync_session_async(sandbox=sandbox, session_id=session_id, opencode=opencode)
    except (ApiError, DatabaseError, Sandbox.DoesNotExist) as error:
        logger.warning("Chat sync after a message in sandbox %s failed: %s", sandbox_id, type(error).__name__)


def _sync_one(opencode: OpenCodeClient, *, sandbox: Sandbox, session_id: str) -> ChatSession:
    return chat_sync_opencode_session(sandbox=sandbox, opencode_session=opencode.session_get(session_id),
                                      messages=opencode.session_messages(session_id))


def chat_sync_session(*, sandbox: Sandbox, session: ChatSession) -> ChatSession:
    """`POST .../chat/sessions/{sid}/sync`: the stored session brought up to date, or as it was when its
    sandbox's OpenCode cannot be read."""
    try:
        with OpenCodeClient(sandbox_opencode_endpoint(sandbox=sandbox)) as opencode:
            return _sync_one(opencode, sandbox=sandbox, session_id=session.opencode_session_id)
    except ApiError as error:
        logger.warning("Chat sync of session %s failed: %s", session.pk, error.message)
    except Sandbox.DoesNotExist:  # deleted during the sync: the session is kept as the delete left it
        logger.info("Chat sync of session %s: its sandbox was deleted meanwhile", session.pk)
    session.refresh_from_db()
    return session


def chat_sync_sandbox(*, sandbox: Sandbox) -> int:
    """Every OpenCode session of a running sandbox, stored; returns how many were synced."""
    synced = 0
    try:
        with OpenCodeClient(sandbox_opencode_endpoint(sandbox=sandbox)) as opencode:
            for opencode_session in opencode.session_list():
                _sync_one(opencode, sandbox=sandbox, session_id=opencode_session["id"])
                synced += 1
    except ApiError as error:
        logger.warning("Full chat sync of sandbox %s stopped after %d sessions: %s", sandbox.pk, synced,
                       error.message)
    except Sandbox.DoesNotExist:
        logger.info("Full chat sync of sandbox %s stopped after %d sessions: deleted meanwhile", sandbox.pk, synced)
    return synced


async def chat_sync_sandbox_async(*, sandbox: Sandbox, opencode: AsyncOpenCodeClient) -> int:
    """Every OpenCode session of the sandbox, through an open async client (the worker's catch-up)."""
    sessions = await opencode.session_list()
    for opencode_session in sessions:
        await chat_sync_session_async(sandbox=sandbox, session_id=opencode_session["id"], opencode=opencode)
    return len(sessions)
