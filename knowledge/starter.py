"""The starter knowledge base: documents written for AgentPod, at least one per category of the database enum.

Loaded by `manage.py seed_knowledge` (knowledge.services.knowledge_seed) under fixed ids, so loading twice
changes nothing; operators edit them, and add their own, in the admin. `applicable_to` holds the keys the
MCP lookup tools match (`get_project_template("web_app")`, `get_agent_pattern("reviewer")`, ...).
"""

STARTER_DOCUMENTS = [
    {
        "id": "starter-project-web-app",
        "category": "project_template",
        "title": "Web App",
        "description": "A browser application with an optional API, set up for an OpenCode agent",
        "tags": ["web", "frontend", "typescript", "project"],
        "applicable_to": ["web_app", "frontend", "fullstack"],
        "metadata": {"flavor": "js", "recommended_agents": ["reviewer", "tester"],
                     "commands": ["test", "build"]},
        "content": """# Web App Template

A layout that lets the agent find things without being told where they are.

## Layout
```
src/            application code, one folder per feature
src/components/ shared UI components
tests/          tests mirroring src/
public/         static files served as they are
AGENTS.md       how to build, test and run; the rules of the project
.opencode/      agents and commands of this workspace
```

## AGENTS.md essentials
- The exact commands: install (`npm ci`), develop (`npm run dev`), test (`npm test`), build (`npm run build`).
- The framework and its version, the styling approach, where routes live.
- "Run the tests after every change" and "never commit secrets or .env files".

## Setting up in AgentPod
1. Create the sandbox with the JavaScript (or Fullstack, with a Python API) flavor.
2. Add the `reviewer` agent and the `test` command from the knowledge base.
3. Keep dev servers on 0.0.0.0 so the sandbox preview can reach them.
""",
    },
    {
        "id": "starter-project-api-service",
        "category": "project_template",
        "title": "API Service",
        "description": "An HTTP service with a database, tests on a real database, and an OpenAPI schema",
        "tags": ["api", "backend", "service", "project"],
        "applicable_to": ["api_service", "backend", "microservice"],
        "metadata": {"flavor": "python", "recommended_agents": ["reviewer", "architect"],
                     "commands": ["test"]},
        "content": """# API Service Template

## Layout
```
app/            one package per domain: models, services (writes), selectors (reads), api/
tests/          mirrors app/; tests talk HTTP to the app and run on the real database
migrations/     schema changes, one per change, never edited after release
AGENTS.md       commands, conventions, how errors are shaped
```

## Conventions worth writing into AGENTS.md
- One error shape for every response, one exception handler that produces it.
- Every list endpoint is paginated and runs a constant number of queries.
- Validation happens at the edge (serializers), business rules in plain functions.
- The OpenAPI schema is generated and checked in CI.

## Setting up in AgentPod
Use the Python flavor with the Databases addon, so PostgreSQL and Redis are available inside the sandbox.
""",
    },
    {
        "id": "starter-project-cli-tool",
        "category": "project_template",
        "title": "CLI Tool",
        "description": "A command-line program with subcommands, help text and tests of its output",
        "tags": ["cli", "terminal", "project"],
        "applicable_to": ["cli_tool", "cli", "script"],
        "metadata": {"flavor": "python", "commands": ["test"]},
        "content": """# CLI Tool Template

- One entry point; subcommands each in their own module.
- Every option has help text; `--help` output is part of the tests.
- Exit codes mean something: 0 success, 1 a failure the user can fix, 2 a usage error.
- Write machine-readable output (`--json`) next to the human one, so other tools and agents can use it.
- Tests call the entry point in-process and compare stdout, stderr and the exit code.
""",
    },
    {
        "id": "starter-agent-reviewer",
        "category": "agent_pattern",
        "title": "Code Reviewer",
        "description": "A read-only subagent that reviews a change for bugs, risks and missing tests",
        "tags": ["review", "quality", "subagent"],
        "applicable_to": ["reviewer", "code_reviewer", "review"],
        "metadata": {"mode": "subagent", "tools": {"write": False, "edit": False, "bash": True}},
        "content": """# Code Reviewer Agent

Save as `.opencode/agent/reviewer.md`:

```markdown
---
description: Reviews the current change for bugs, risks and missing tests
mode: subagent
temperature: 0.1
tools:
  write: false
  edit: false
  bash: true
---
You review code; you do not change it. Start from `git diff` (or the files named to you).
Report, most important first:
1. Bugs: wrong results, unhandled errors, races, resource leaks.
2. Security: injection, secrets in code or logs, missing authorisation checks.
3. Missing or weak tests for the behaviour that changed.
4. Readability problems that will cause bugs later.
For each finding give the file and line, what is wrong, and a concrete fix.
Say plainly when you found nothing.
```

Invoke it with `@reviewer` in the chat.
""",
    },
    {
        "id": "starter-command-test",
        "category": "command_template",
        "title": "Test Command",
        "description": "A /test command that runs the suite and explains the first failure",
        "tags": ["testing", "tests", "command"],
        "applicable_to": ["test", "tests"],
        "metadata": {"file": ".opencode/command/test.md"},
        "content": """# Test Command

Save as `.opencode/command/test.md`:

```markdown
---
description: Run the tests and explain the first failure
---
Run the project's test command from AGENTS.md (for example `npm test` or `pytest -q`), limited to $ARGUMENTS
when given. If everything passes, say so in one line. Otherwise take the first failing test, read it and the
code it exercises, and explain the cause. Propose a fix, but do not edit files unless asked.
```

Usage: `/test` for the whole suite, `/test tests/api` for part of it.
""",
    },
    {
        "id": "starter-tool-http-check",
        "category": "tool_template",
        "title": "HTTP Health Check Tool",
        "description": "A custom OpenCode tool that checks a URL and reports status and latency",
        "tags": ["tool", "http", "typescript"],
        "applicable_to": ["http_check", "health_check"],
        "metadata": {"file": ".opencode/tool/http-check.ts"},
        "content": """# HTTP Health Check Tool

Custom tools are TypeScript files in `.opencode/tool/`; the file name is the tool name.

```typescript
import { tool } from "@opencode-ai/plugin"

export default tool({
  description: "Fetch a URL and report its HTTP status and how long it took",
  args: { url: tool.schema.string().describe("The URL to check") },
  async execute(args) {
    const started = Date.now()
    const response = await fetch(args.url, { signal: AbortSignal.timeout(10_000) })
    return `${response.status} ${response.statusText} in ${Date.now() - started} ms`
  },
})
```

Give every network call a timeout, and return text the model can read in one glance.
""",
    },
    {
        "id": "starter-plugin-notify",
        "category": "plugin_template",
        "title": "Session Notification Plugin",
        "description": "An OpenCode plugin that reacts when the agent finishes or needs permission",
        "tags": ["plugin", "events", "typescript"],
        "applicable_to": ["notification", "notify"],
        "metadata": {"file": ".opencode/plugin/notify.ts"},
        "content": """# Session Notification Plugin

Plugins in `.opencode/plugin/` receive OpenCode's events.

```typescript
import type { Plugin } from "@opencode-ai/plugin"

export const Notify: Plugin = async ({ $ }) => ({
  event: async ({ event }) => {
    if (event.type === "session.idle") {
      await $`echo "agent finished at $(date -Iseconds)" >> .opencode/activity.log`
    }
  },
})
```

Keep plugins fast and quiet: they run inside the agent's process, for every event.
""",
    },
    {
        "id": "starter-mcp-agentpod-knowledge",
        "category": "mcp_template",
        "title": "AgentPod Knowledge MCP Server",
        "description": "Connect OpenCode to this knowledge base as a remote MCP server",
        "tags": ["mcp", "opencode", "configuration"],
        "applicable_to": ["agentpod", "knowledge"],
        "metadata": {"file": "opencode.json"},
        "content": """# AgentPod Knowledge MCP Server

The AgentPod API serves these tools (search_knowledge, get_project_template, get_agent_pattern,
get_command_template, list_project_types, get_available_models, get_provider_setup_guide) as a standard MCP
server over Streamable HTTP at `/api/mcp`.

In `opencode.json`:

```json
{
  "mcp": {
    "agentpod": {
      "type": "remote",
      "url": "https://<your AgentPod API>/api/mcp",
      "headers": { "Authorization": "Bearer {env:AGENTPOD_API_TOKEN}" }
    }
  }
}
```

The token comes from the environment, never from a file in the repository.
""",
    },
    {
        "id": "starter-workflow-plan-build-verify",
        "category": "workflow_pattern",
        "title": "Plan, Build, Verify",
        "description": "A loop for changes larger than one file: plan first, small steps, tests after each",
        "tags": ["workflow", "planning", "testing"],
        "applicable_to": ["feature", "refactor"],
        "metadata": {},
        "content": """# Plan, Build, Verify

1. **Plan** in the plan agent (no edits): ask for the files involved, the steps, and how each step is checked.
2. **Build** one step at a time in the build agent. Keep each step small enough to review in a minute.
3. **Verify** after every step: run `/test`, and read the diff. A failing step is fixed before the next one.
4. **Review** the whole change with `@reviewer` before committing.
5. **Commit** with a message that says why, not only what.

Restart the plan when a step shows the plan was wrong; don't patch around it.
""",
    },
    {
        "id": "starter-best-practice-agents-md",
        "category": "best_practice",
        "title": "Writing a Good AGENTS.md",
        "description": "What the agent needs to know on every session, in the file it always reads",
        "tags": ["agents-md", "documentation", "context"],
        "applicable_to": None,
        "metadata": {},
        "content": """# Writing a Good AGENTS.md

The agent reads AGENTS.md at the start of every session. Put there what it would otherwise guess:

- **Commands**: install, run, test, lint, build: exact and copy-pasteable.
- **Layout**: where code, tests and configuration live, in a few lines.
- **Conventions**: naming, error handling, how tests are written; one example beats a paragraph.
- **Boundaries**: files never to edit (generated code, migrations already released), secrets never to print.
- **Definition of done**: tests pass, linter clean, docs updated.

Keep it short (under two pages) and current: a wrong instruction costs more than a missing one.
""",
    },
    {
        "id": "starter-provider-guide-choosing",
        "category": "provider_guide",
        "title": "Choosing and Configuring a Provider",
        "description": "How AgentPod uses LLM providers, and which model to pick for which job",
        "tags": ["providers", "models", "configuration"],
        "applicable_to": ["anthropic", "openai", "google", "openrouter"],
        "metadata": {},
        "content": """# Choosing and Configuring a Provider

AgentPod keeps your provider keys encrypted and passes them to your sandboxes; you enter each key once, in
Settings → Providers. GitHub Copilot signs in with a device code instead of a key.

- **Main model**: the strongest model with tool calling you can afford; the agent edits code with it.
- **Small model**: a fast, cheap model for titles and summaries (`small_model` in opencode.json).
- **One provider to start**: set it as default; sandboxes created later use it automatically.

A model without tool calling cannot edit files or run commands: pick one that supports tools.
""",
    },
]
