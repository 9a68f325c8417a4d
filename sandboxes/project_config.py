"""A sandbox's project config, the `config` of `GET /api/v2/sandboxes/{id}` (api-contract 2.11).

Read from the repository's working tree (what the container sees), never through a path that leaves it:

- with an `agentpod.toml`, the file parsed (tomllib) as it is: TOML tables are objects, dates and times
  ISO 8601 strings. The template a new sandbox starts with holds `[project] name = "<repoName>"`; a user
  may add `[environment]`, `[lifecycle]`, ... as the old server's format allows. A file that is not
  valid TOML (or larger than 1 MiB, or a symlink leaving the repository) gives `null`: it is the user's
  file to fix, and a detected config would hide the mistake;
- without one, a config detected from the files, in the same vocabulary, marked `"detected": true`:

      {"detected": true,
       "project": {"name": "<repository name, or package.json's / pyproject.toml's name>"},
       "environment": {"base": "<flavor: js|python|go|rust|polyglot|fullstack>",
                       "language": "<the first language found>" | null,
                       "languages": ["javascript" | "typescript" | "python" | "go" | "rust", ...],
                       "packageManager": "npm|pnpm|yarn|bun|pip|uv|poetry|pipenv|go|cargo" | null},
       "lifecycle": {"setup"?: "...", "dev"?: "...", "build"?: "...", "test"?: "..."}}

  One language gives its flavor (typescript is js), several give polyglot, none fullstack (the old
  server's default). Commands are those of the first language's package manager (npm scripts when
  package.json names them).
"""

from __future__ import annotations

import json
import logging
import math
import os
import tomllib
from datetime import date, datetime, time
from pathlib import Path

from core.api.errors import InvalidRequest
from repos.paths import resolve_inside

logger = logging.getLogger(__name__)

CONFIG_FILE = "agentpod.toml"
MAX_BYTES = 1024 * 1024

# (marker files, language), in the order languages are reported.
LANGUAGES = [
    (("package.json",), "javascript"),
    (("pyproject.toml", "requirements.txt", "setup.py", "Pipfile"), "python"),
    (("go.mod",), "go"),
    (("Cargo.toml",), "rust"),
]
FLAVORS = {"javascript": "js", "typescript": "js", "python": "python", "go": "go", "rust": "rust"}
# (lock or marker file, package manager), first match wins.
JS_MANAGERS = [("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("bun.lockb", "bun"), ("bun.lock", "bun"),
               ("package-lock.json", "npm")]
PYTHON_MANAGERS = [("uv.lock", "uv"), ("poetry.lock", "poetry"), ("Pipfile", "pipenv")]
PYTHON_SETUP = {"uv": "uv sync", "poetry": "poetry install", "pipenv": "pipenv install"}
PYTHON_RUN = {"uv": "uv run ", "poetry": "poetry run ", "pipenv": "pipenv run ", "pip": ""}
NPM_SCRIPTS = ("dev", "build", "test")


def project_config(root: Path) -> dict | None:
    """The config of the repository at `root`: agentpod.toml parsed, or detected (see the docstring)."""
    text = _read(root, CONFIG_FILE)
    if text is not None:
        try:
            return _jsonable(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            logger.info("sandbox config: %s in %s is not valid TOML: %s", CONFIG_FILE, root, exc)
            return None
    if os.path.lexists(root / CONFIG_FILE):  # there, but unreadable (too large, a directory, outside)
        return None
    return detect_config(root)


def detect_config(root: Path) -> dict:
    languages = [language for markers, language in LANGUAGES if any(_exists(root, m) for m in markers)]
    if "javascript" in languages and _exists(root, "tsconfig.json"):
        languages[languages.index("javascript")] = "typescript"
    flavors = {FLAVORS[language] for language in languages}
    base = flavors.pop() if len(flavors) == 1 else "polyglot" if flavors else "fullstack"
    language = languages[0] if languages else None
    name, manager, lifecycle = root.name, None, {}
    if language in ("javascript", "typescript"):
        name, manager, lifecycle = _javascript(root, name)
    elif language == "python":
        name, manager, lifecycle = _python(root, name)
    elif language == "go":
        manager, lifecycle = "go", {"setup": "go mod download", "dev": "go run .", "build": "go build ./...",
                                    "test": "go test ./..."}
    elif language == "rust":
        manager, lifecycle = "cargo", {"setup": "cargo fetch", "dev": "cargo run", "build": "cargo build",
                                       "test": "cargo test"}
    return {"detected": True, "project": {"name": name},
            "environment": {"base": base, "language": language, "languages": languages,
                            "packageManager": manager},
            "lifecycle": lifecycle}


def _javascript(root: Path, name: str) -> tuple[str, str, dict]:
    manager = next((m for marker, m in JS_MANAGERS if _exists(root, marker)), "npm")
    lifecycle = {"setup": f"{manager} install"}
    try:
        package = json.loads(_read(root, "package.json") or "{}")
    except ValueError:
        package = {}
    package = package if isinstance(package, dict) else {}
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    for script in NPM_SCRIPTS:
        if isinstance(scripts.get(script), str):
            lifecycle[script] = f"{manager} run {script}"
    if isinstance(package.get("name"), str) and package["name"]:
        name = package["name"]
    return name, manager, lifecycle


def _python(root: Path, name: str) -> tuple[str, str, dict]:
    manager = next((m for marker, m in PYTHON_MANAGERS if _exists(root, marker)), "pip")
    if manager in PYTHON_SETUP:
        setup = PYTHON_SETUP[manager]
    elif _exists(root, "requirements.txt"):
        setup = "pip install -r requirements.txt"
    else:
        setup = "pip install -e ."
    lifecycle = {"setup": setup, "test": f"{PYTHON_RUN[manager]}pytest"}
    if _exists(root, "manage.py"):
        lifecycle["dev"] = f"{PYTHON_RUN[manager]}python manage.py runserver"
    try:
        pyproject = tomllib.loads(_read(root, "pyproject.toml") or "")
    except tomllib.TOMLDecodeError:
        pyproject = {}
    project = pyproject.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str) and project["name"]:
        name = project["name"]
    return name, manager, lifecycle


def _inside(root: Path, relative: str) -> Path | None:
    try:
        return resolve_inside(root, relative)
    except InvalidRequest:  # a symlink out of the repository
        return None


def _exists(root: Path, relative: str) -> bool:
    path = _inside(root, relative)
    return path is not None and path.exists()


def _read(root: Path, relative: str) -> str | None:
    """The text of a regular file of the repository, or None (missing, outside, too large, not UTF-8)."""
    path = _inside(root, relative)
    try:
        if path is None or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):  # TOML's inf and nan: JSON has neither
        return str(value)
    return value
