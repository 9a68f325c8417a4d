"""What apply writes, generated from a session (onboarding/workspace.py), and the archive it travels in."""

import io
import json
import tarfile

import pytest

from onboarding.models import OnboardingSession
from onboarding.workspace import (
    InvalidGeneratedConfig,
    agents_md,
    opencode_json,
    parse_read_back,
    tar_archive,
    workspace_files,
)

KNOWLEDGE = {
    "type": "remote",
    "url": "{env:MANAGEMENT_API_URL}/api/mcp",
    "headers": {"Authorization": "Bearer {env:AGENTPOD_API_TOKEN}"},
}


def session(**fields) -> OnboardingSession:
    return OnboardingSession(**fields)  # never saved: generation reads only the object


def test_opencode_json_from_the_generated_settings():
    config = {
        "settings": {
            "provider": "anthropic",
            "model": "claude-sonnet-4-5",
            "smallModel": "openai/gpt-5-mini",
            "autoapprove": ["edit", "bash"],
            "customInstructions": "x",
            "autoupdate": False,
            "unknownKey": True,
            "permission": {"webfetch": "deny"},
        },
        "mcpServers": [
            {"name": "files", "command": "mcp-files", "args": ["--root", "."], "env": {"ROOT": "/w"}}
        ],
    }
    assert opencode_json(session(generated_config=config, selected_model="openai/gpt-5")) == {
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "permission": {"webfetch": "deny", "edit": "allow", "bash": "allow"},
        "model": "anthropic/claude-sonnet-4-5",
        "small_model": "openai/gpt-5-mini",
        "mcp": {
            "agentpod_knowledge": KNOWLEDGE,
            "files": {
                "type": "local",
                "command": ["mcp-files", "--root", "."],
                "environment": {"ROOT": "/w"},
            },
        },
    }


def test_opencode_json_falls_back_to_the_selected_models():
    assert opencode_json(session(generated_config={"settings": {}}, selected_model="openai/gpt-5")) == {
        "$schema": "https://opencode.ai/config.json",
        "model": "openai/gpt-5",
        "mcp": {"agentpod_knowledge": KNOWLEDGE},
    }


def test_agents_md_written_from_the_requirements_with_custom_instructions():
    text = agents_md(
        session(
            project_name="Shop",
            project_type="web_app",
            gathered_requirements={
                "projectName": "Shop",
                "primaryLanguage": "python",
                "frameworks": ["django", "celery"],
                "testingFramework": "pytest",
            },
            generated_config={"settings": {"customInstructions": "Use type hints."}},
        )
    )
    assert text.startswith(
        "# Shop\n\n## Project\n\n- Project type: web_app\n- Language: python\n"
        "- Frameworks: django, celery\n- Tests: pytest\n"
    )
    assert text.endswith("## Custom instructions\n\nUse type hints.\n")


def test_files_in_writing_order_with_front_matter():
    files = workspace_files(
        session(
            generated_config={
                "settings": {},
                "agentsMd": "# Mine",
                "agents": [{"name": "reviewer", "description": "a: b\nc", "content": "Body\n\n"}],
                "commands": [{"name": "test", "description": "Run", "content": "Go"}],
            }
        )
    )
    assert list(files) == [
        "opencode.json",
        "AGENTS.md",
        ".opencode/agent/reviewer.md",
        ".opencode/command/test.md",
    ]
    assert files["AGENTS.md"] == "# Mine\n"
    assert (
        files[".opencode/agent/reviewer.md"] == '---\ndescription: "a: b\\nc"\nmode: "subagent"\n---\nBody\n'
    )
    assert files[".opencode/command/test.md"] == '---\ndescription: "Run"\n---\nGo\n'
    assert json.loads(files["opencode.json"])["$schema"] == "https://opencode.ai/config.json"


@pytest.mark.parametrize(
    "config",
    [
        {"agents": [{"name": "../../etc/passwd", "description": "", "content": ""}]},
        {"commands": [{"name": ".hidden", "description": "", "content": ""}]},
        {"agents": ["not an object"]},
        {"mcpServers": [{"name": "x"}]},
    ],
)
def test_a_stored_config_that_cannot_be_written_is_refused(config):
    with pytest.raises(InvalidGeneratedConfig):
        workspace_files(session(generated_config={"settings": {}, **config}))


def test_the_archive_holds_only_the_files_with_their_owner():
    data = tar_archive({"AGENTS.md": "é\n", ".opencode/agent/a.md": "x"}, uid=1000, gid=1001)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = archive.getmembers()
        assert [(m.name, m.isfile(), m.mode, m.uid, m.gid) for m in members] == [
            ("AGENTS.md", True, 0o644, 1000, 1001),
            (".opencode/agent/a.md", True, 0o644, 1000, 1001),
        ]
        assert archive.extractfile("AGENTS.md").read() == "é\n".encode()


def test_read_back_output():
    assert parse_read_back("") == {}
    assert parse_read_back("AGENTS.md\0# A\n\0.opencode/agent/x.md\0\0") == {
        "AGENTS.md": "# A\n",
        ".opencode/agent/x.md": "",
    }
