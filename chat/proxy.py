"""What the OpenCode proxy changes in OpenCode's bodies on the way through (api-contract 2.11), and the
input it checks before OpenCode sees it (DECISIONS 28). Everything else passes through unchanged."""

from __future__ import annotations

from typing import Any

from core.api.errors import InvalidRequest
from sandboxes.opencode import PERMISSION_RESPONSES

Json = dict[str, Any]

# Paths as the desktop client sends them, relative to the workspace OpenCode works in.
WORKSPACE_PREFIXES = ("/home/developer/workspace/", "/home/developer/workspace", "/workspace/", "/workspace")
MAX_PARTS = 100


def workspace_path(path: str | None) -> str:
    """The old server's prefix stripping. The workspace root (`/`, or nothing left after stripping) is
    sent as `""`: OpenCode 1.18 answers `/` and other absolute paths with a 500."""
    path = path or ""
    for prefix in WORKSPACE_PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix):]
            break
    return "" if path in ("", "/") else path


def prompt_input(body) -> Json:
    """`{parts, model?, agent?}` of a message, checked: every part a text or a file, a model with both ids."""
    if not isinstance(body, dict):
        raise InvalidRequest(details="body: must be a JSON object")
    parts = body.get("parts")
    if not isinstance(parts, list) or not parts:
        raise InvalidRequest(details="parts: must be a non-empty list")
    if len(parts) > MAX_PARTS:
        raise InvalidRequest(details=f"parts: at most {MAX_PARTS}")
    for index, part in enumerate(parts):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            continue
        if kind == "file" and isinstance(part.get("url"), str):
            continue
        raise InvalidRequest(details=f"parts.{index}: must be {{type: text, text}} or {{type: file, url}}")
    model = body.get("model")
    if model is not None and not (isinstance(model, dict) and isinstance(model.get("providerID"), str)
                                  and isinstance(model.get("modelID"), str)):
        raise InvalidRequest(details="model: must be {providerID, modelID}")
    agent = body.get("agent")
    if agent is not None and not isinstance(agent, str):
        raise InvalidRequest(details="agent: must be a string")
    return {"parts": parts, "model": model, "agent": agent}


def permission_input(body) -> str:
    response = body.get("response") if isinstance(body, dict) else None
    if response not in PERMISSION_RESPONSES:
        raise InvalidRequest("Invalid response. Must be 'once', 'always', or 'reject'")
    return response


def providers_body(raw: Json) -> Json:
    """`{"providers": [{id, name, models: [{id, name}]}]}`, without providers configured by the server's own
    environment (`source == "env"`): those credentials are not the user's."""
    providers = []
    for provider in (raw or {}).get("providers") or []:
        if not isinstance(provider, dict) or provider.get("source") == "env":
            continue
        models = provider.get("models") or {}
        models = models.values() if isinstance(models, dict) else models
        providers.append({"id": provider.get("id"), "name": provider.get("name"),
                          "models": [{"id": m.get("id"), "name": m.get("name")} for m in models
                                     if isinstance(m, dict)]})
    return {"providers": providers}


def agents_body(raw: list) -> Json:
    """`{"agents": [{name, description?, mode, builtIn, color?}]}`."""
    agents = []
    for agent in raw or []:
        if not isinstance(agent, dict):
            continue
        entry = {"name": agent.get("name"), "mode": agent.get("mode"),
                 "builtIn": bool(agent.get("builtIn", agent.get("native", False)))}
        for key in ("description", "color"):
            if agent.get(key) is not None:
                entry[key] = agent[key]
        agents.append(entry)
    return {"agents": agents}
