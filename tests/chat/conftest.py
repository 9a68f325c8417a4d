"""A sandbox whose OpenCode is a real `opencode serve` on loopback, answering from the model server.

The OpenCode demands the password this API derives for the sandbox (DECISIONS 24), so the proxy reaches
it exactly as it reaches one in a container; the process is shared by the module, the sandbox row is
made per test.
"""

import pytest

from sandboxes.credentials import opencode_password
from tests.factories import SandboxFactory
from tests.support.opencode_process import OpenCodeProcess

AGENT_SANDBOX_ID = "agentSandbx1"


@pytest.fixture(scope="module")
def agent_opencode(opencode_binary, model_server):
    process = OpenCodeProcess(opencode_binary, config=model_server.opencode_config(),
                              password=opencode_password(AGENT_SANDBOX_ID))
    try:
        process.start()
    except RuntimeError as exc:
        process.cleanup()
        pytest.fail(str(exc), pytrace=False)
    yield process
    process.cleanup()


@pytest.fixture
def agent_sandbox(user, agent_opencode, model):
    """The caller's running sandbox, its OpenCode answering."""
    return SandboxFactory(id=AGENT_SANDBOX_ID, user=user, status="running", opencode_url=agent_opencode.base_url)
