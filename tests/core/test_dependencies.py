"""The direction of dependencies between the project's parts, read from the code itself (`ast`).

Lower parts never import higher ones; apps above talk to apps below through signals and registries
they connect to (`core.signals`, `core.activity`, `core.user_data`, `sandboxes.signals`). Every import
of every module counts, module-level or inside a function: an import hidden in a function to dodge a
cycle is itself forbidden, except a Django `AppConfig.ready()` importing its own app's receivers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "legacy", "accounts", "activity", "containers", "providers", "settings_app", "knowledge",
        "sandboxes", "chat", "onboarding", "repos")

# Who may import whom, by module prefix ("accounts.models" allows that module only, "accounts" the
# whole app). An app may always import itself, and its `legacy.py` may import the `legacy` engine.
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "legacy": {"core"},
    "accounts": {"core"},
    "activity": {"core", "accounts.models"},
    "containers": {"core"},
    "providers": {"core", "accounts.models"},
    "settings_app": {"core", "accounts.models"},
    "knowledge": {"core", "accounts.models", "providers"},  # the MCP model tool reads the catalogue
    "repos": {"core", "accounts.models"},
    "sandboxes": {"core", "accounts", "containers", "providers", "settings_app", "knowledge", "repos"},
    "chat": {"core", "accounts", "sandboxes"},
    "onboarding": {"core", "accounts", "containers", "providers", "settings_app", "knowledge", "repos",
                   "sandboxes"},
}
# The orchestrator interface and its backends act on the engine only: no model of any app, no service.
ENGINE_MODULES = {"sandboxes.orchestrator", "sandboxes.docker_backend"}
ENGINE_MAY_IMPORT = {"core", "sandboxes.orchestrator", "sandboxes.conf"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "providers.services"
    target: str  # the imported module, absolute, e.g. "sandboxes.services"
    line: int
    in_function: str | None  # the enclosing function's name, if any


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every import in `source` (of `module`), relative ones made absolute, with its enclosing function."""
    found: list[Import] = []
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend(Import(module, alias.name, child.lineno, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                # `from . import receivers` imports a module, not a name: count the module.
                names = [f"{target}.{alias.name}" for alias in child.names] if not child.module else [target]
                found.extend(Import(module, name, child.lineno, function) for name in names)
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def allowed(rule: set[str], target: str) -> bool:
    return any(target == prefix or target.startswith(prefix + ".") for prefix in rule)


def violations(imports: list[Import]) -> list[str]:
    found = []
    for item in imports:
        source_app, target_app = app_of(item.module), app_of(item.target)
        if source_app is None or target_app is None:
            continue  # Django, libraries, config
        where = f"{item.module}:{item.line} imports {item.target}"
        if item.in_function and not (item.in_function == "ready" and item.module.endswith(".apps")
                                     and target_app == source_app):
            found.append(f"{where} inside {item.in_function}()")
        if item.module in ENGINE_MODULES:
            if not allowed(ENGINE_MAY_IMPORT, item.target):
                found.append(f"{where}: the orchestrator and its backends act on the engine only")
            continue
        if target_app == source_app:
            continue
        if target_app == "legacy" and item.module.split(".")[1:2] == ["legacy"]:
            continue  # an app's own legacy mapping plugs into the engine
        if not allowed(MAY_IMPORT[source_app], item.target):
            found.append(f"{where}: {source_app} may import only {sorted(MAY_IMPORT[source_app]) or 'libraries'}")
    return found


def project_imports() -> list[Import]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # historical models only, through apps.get_model
            found.extend(imports_of(path.read_text(), module_name(path), is_package=path.name == "__init__.py"))
    return found


def test_every_import_of_the_project_goes_the_allowed_direction():
    assert violations(project_imports()) == []


def test_every_app_is_covered_by_the_rules():
    on_disk = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert on_disk <= set(APPS), f"apps without a dependency rule: {sorted(on_disk - set(APPS))}"


@pytest.mark.parametrize("module, source, expected", [
    ("providers.services", "from sandboxes.services import push\n",
     "providers.services:1 imports sandboxes.services: providers may import only ['accounts.models', 'core']"),
    ("accounts.services", "def delete():\n    from chat.models import ChatSession\n",
     "accounts.services:2 imports chat.models inside delete()"),
    ("sandboxes.docker_backend", "from .models import Sandbox\n",
     "sandboxes.docker_backend:1 imports sandboxes.models: the orchestrator and its backends act on the engine "
     "only"),
    ("core.views", "from accounts import models\n",
     "core.views:1 imports accounts: core may import only libraries"),
    ("legacy.importer", "from accounts.models import User\n",
     "legacy.importer:1 imports accounts.models: legacy may import only ['core']"),
    ("repos.services", "from sandboxes.models import Sandbox\n",
     "repos.services:1 imports sandboxes.models: repos may import only ['accounts.models', 'core']"),
    ("legacy.importer", "from repos.services import repository_adopt\n",
     "legacy.importer:1 imports repos.services: legacy may import only ['core']"),
])
def test_a_forbidden_import_is_reported(module, source, expected):
    assert expected in violations(imports_of(source, module))


@pytest.mark.parametrize("module, source", [
    ("chat.legacy", "from legacy.mapping import Table\n"),
    ("sandboxes.apps", "class C:\n    def ready(self):\n        from . import receivers\n"),
    ("sandboxes.services", "from providers.selectors import opencode_auth_entries\n"),
    ("onboarding.receivers", "from sandboxes.signals import sandbox_created\n"),
    ("providers.selectors", "from accounts.models import User\nfrom core.models import Setting\n"),
    ("sandboxes.workspace", "from repos import services as repo_services\n"),
    ("sandboxes.legacy", "from legacy.mapping import Table\nfrom repos.services import repository_adopt\n"),
])
def test_an_allowed_import_passes(module, source):
    assert violations(imports_of(source, module)) == []
