"""What `apply` writes into a sandbox's workspace: OpenCode's project config, generated from a session.

OpenCode reads a project's config from its working directory (verified on OpenCode 1.18.33, the version
the images carry): `opencode.json`, `AGENTS.md` (the project's rules), agents in `.opencode/agent/<name>.md`
and commands in `.opencode/command/<name>.md`, each a Markdown body under YAML front matter. Paths here
are relative to the workspace; `apply` writes them as one tar archive (no shell, no heredoc), so what
the user typed can never become a command.

Besides the session's own choices, `opencode.json` names this API's MCP server (`/api/mcp`, the knowledge
tools) with OpenCode's `{env:...}` substitution, so the sandbox's own credential (`AGENTPOD_API_TOKEN`,
DECISIONS 31) and the API's address (`MANAGEMENT_API_URL`) come from the container's environment and
never sit in a file of the workspace, which may be a git repository.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import time

from .models import OnboardingSession

OPENCODE_SCHEMA = "https://opencode.ai/config.json"
KNOWLEDGE_MCP_NAME = "agentpod_knowledge"
AGENT_DIR = ".opencode/agent"
COMMAND_DIR = ".opencode/command"
# Agent and command names become file names: nothing that could leave its folder or hide a file.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
# The top-level keys of OpenCode's config (its `/doc`, 1.18.33). The `settings` of a completed config keep
# any extra key (api-contract 2.15, passthrough), but only these reach opencode.json: OpenCode refuses to
# start on a config with a key it does not know.
OPENCODE_CONFIG_KEYS = frozenset(
    {
        "$schema",
        "agent",
        "attachment",
        "autoshare",
        "autoupdate",
        "command",
        "compaction",
        "default_agent",
        "disabled_providers",
        "enabled_providers",
        "enterprise",
        "experimental",
        "formatter",
        "instructions",
        "layout",
        "logLevel",
        "lsp",
        "mcp",
        "mode",
        "model",
        "permission",
        "plugin",
        "provider",
        "reference",
        "references",
        "server",
        "share",
        "shell",
        "skills",
        "small_model",
        "snapshot",
        "subagent_depth",
        "tool_output",
        "tools",
        "username",
        "watcher",
    }
)
# `settings` keys with a meaning of their own (not copied as they are).
OWN_SETTINGS = {"provider", "model", "smallModel", "autoapprove", "customInstructions"}


def knowledge_mcp_entry() -> dict:
    """This API's MCP server as OpenCode's remote MCP config, resolved inside the container."""
    return {
        "type": "remote",
        "url": "{env:MANAGEMENT_API_URL}/api/mcp",
        "headers": {"Authorization": "Bearer {env:AGENTPOD_API_TOKEN}"},
    }


def _model(settings: dict, model_key: str, selected: str | None) -> str | None:
    """`provider/model`: the generated settings' choice (a bare id takes the settings' provider), else
    the model the user selected."""
    model = settings.get(model_key)
    if isinstance(model, str) and model:
        provider = settings.get("provider")
        if "/" not in model and isinstance(provider, str) and provider:
            return f"{provider}/{model}"
        return model
    return selected or None


def opencode_json(session: OnboardingSession) -> dict:
    config = session.generated_config or {}
    settings = config.get("settings") or {}
    document: dict = {"$schema": OPENCODE_SCHEMA}
    document.update(
        {
            key: value
            for key, value in settings.items()
            if key in OPENCODE_CONFIG_KEYS and key not in OWN_SETTINGS
        }
    )
    model = _model(settings, "model", session.selected_model)
    small_model = _model(settings, "smallModel", session.selected_small_model)
    if model:
        document["model"] = model
    if small_model:
        document["small_model"] = small_model
    autoapprove = settings.get("autoapprove") or []
    if autoapprove:
        permission = document.get("permission") if isinstance(document.get("permission"), dict) else {}
        document["permission"] = {**permission, **{tool: "allow" for tool in autoapprove}}
    mcp = dict(document.get("mcp") or {}) if isinstance(document.get("mcp"), dict) else {}
    mcp[KNOWLEDGE_MCP_NAME] = knowledge_mcp_entry()
    for server in config.get("mcpServers") or []:
        if not (
            isinstance(server, dict)
            and isinstance(server.get("name"), str)
            and isinstance(server.get("command"), str)
        ):
            raise InvalidGeneratedConfig("An MCP server needs a name and a command")
        entry = {"type": "local", "command": [server["command"], *(server.get("args") or [])]}
        if server.get("env"):
            entry["environment"] = server["env"]
        mcp[server["name"]] = entry
    document["mcp"] = mcp
    return document


def agents_md(session: OnboardingSession) -> str:
    """The generated AGENTS.md, else one written from the gathered requirements; custom instructions
    are added either way."""
    config = session.generated_config or {}
    text = config.get("agentsMd")
    if not text:
        requirements = session.gathered_requirements or {}
        name = session.project_name or requirements.get("projectName") or "This project"
        lines = [f"# {name}", ""]
        description = session.project_description or requirements.get("projectDescription")
        if description:
            lines += [description, ""]
        facts = [
            ("Project type", session.project_type or requirements.get("projectType")),
            ("Language", requirements.get("primaryLanguage")),
            ("Frameworks", ", ".join(requirements.get("frameworks") or [])),
            ("Tests", requirements.get("testingFramework")),
        ]
        facts = [(label, value) for label, value in facts if value]
        if facts:
            lines += ["## Project", "", *(f"- {label}: {value}" for label, value in facts), ""]
        lines += [
            "## Working here",
            "",
            "- Read the code around a change before making it, and follow its conventions.",
            "- Run the tests after every change; add tests for new behaviour.",
            "- Search the AgentPod knowledge base (the `agentpod_knowledge` MCP tools) for templates "
            "and patterns before writing configuration from scratch.",
            "",
        ]
        text = "\n".join(lines)
    instructions = (config.get("settings") or {}).get("customInstructions")
    if instructions:
        text = f"{text.rstrip()}\n\n## Custom instructions\n\n{instructions.strip()}\n"
    return text if text.endswith("\n") else text + "\n"


def _markdown(front_matter: dict, body: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: a description with a colon, a quote or a newline
    # stays one value.
    header = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front_matter.items()
    )
    return f"---\n{header}\n---\n{body.rstrip()}\n"


class InvalidGeneratedConfig(ValueError):
    """A stored config `apply` cannot write (complete validates; the admin can still edit it)."""


def _file_name(entry, what: str) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidGeneratedConfig(f"{what} name {name!r} cannot be a file name")
    return f"{name}.md"


def workspace_files(session: OnboardingSession) -> dict[str, str]:
    """Relative path → content of everything `apply` writes, in writing order. Raises
    `InvalidGeneratedConfig`."""
    config = session.generated_config or {}
    files = {
        "opencode.json": json.dumps(opencode_json(session), indent=2, ensure_ascii=False) + "\n",
        "AGENTS.md": agents_md(session),
    }
    for folder, key, what, extra in ((AGENT_DIR, "agents", "Agent", {"mode": "subagent"}),
                                     (COMMAND_DIR, "commands", "Command", {})):
        for entry in config.get(key) or []:
            path = f"{folder}/{_file_name(entry, what)}"  # validates the entry before it is read
            files[path] = _markdown({"description": entry.get("description", ""), **extra},
                                    entry.get("content", ""))
    return files


def tar_archive(files: dict[str, str], *, uid: int = 0, gid: int = 0) -> bytes:
    """A tar of `files` (relative path → text), owned by `uid:gid`, mode 644. Only files: the folders they
    need exist already, so no folder's owner or mode is changed on the way."""
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime, info.uid, info.gid = len(data), 0o644, now, uid, gid
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# `config` reads every file back in one exec: each as its path, NUL, its content, NUL (text files hold no
# NUL). $1 is the workspace.
READ_BACK_SCRIPT = (
    'cd "$1" 2>/dev/null || exit 0; '
    f"for f in opencode.json AGENTS.md {AGENT_DIR}/*.md {COMMAND_DIR}/*.md; do "
    '[ -f "$f" ] || continue; printf "%s\\0" "$f"; cat "$f"; printf "\\0"; done'
)


def parse_read_back(output: str) -> dict[str, str]:
    parts = output.split("\0")
    return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}
