"""`sandboxes.project_config`: agentpod.toml parsed, or a config detected from the files."""

import os

import pytest

from sandboxes.project_config import project_config


def make(root, files: dict[str, str]):
    root.mkdir()
    for name, content in files.items():
        (root / name).write_text(content)
    return root


def detected(name, base, languages, manager, lifecycle):
    return {"detected": True, "project": {"name": name},
            "environment": {"base": base, "language": languages[0] if languages else None,
                            "languages": languages, "packageManager": manager},
            "lifecycle": lifecycle}


@pytest.mark.parametrize("files, expected", [
    ({}, detected("proj", "fullstack", [], None, {})),
    ({"package.json": '{"scripts": {"dev": "vite", "build": "vite build", "test": "vitest", "lint": "x"}}',
      "yarn.lock": ""},
     detected("proj", "js", ["javascript"], "yarn",
              {"setup": "yarn install", "dev": "yarn run dev", "build": "yarn run build",
               "test": "yarn run test"})),
    ({"package.json": '{"name": "site"}', "tsconfig.json": "{}", "bun.lock": ""},
     detected("site", "js", ["typescript"], "bun", {"setup": "bun install"})),
    ({"package.json": "not json"}, detected("proj", "js", ["javascript"], "npm", {"setup": "npm install"})),
    ({"requirements.txt": "flask\n"},
     detected("proj", "python", ["python"], "pip",
              {"setup": "pip install -r requirements.txt", "test": "pytest"})),
    ({"pyproject.toml": '[project]\nname = "lib"\n', "poetry.lock": ""},
     detected("lib", "python", ["python"], "poetry",
              {"setup": "poetry install", "test": "poetry run pytest"})),
    ({"Pipfile": "", "manage.py": ""},
     detected("proj", "python", ["python"], "pipenv",
              {"setup": "pipenv install", "test": "pipenv run pytest",
               "dev": "pipenv run python manage.py runserver"})),
    ({"go.mod": "module x\n"},
     detected("proj", "go", ["go"], "go", {"setup": "go mod download", "dev": "go run .",
                                           "build": "go build ./...", "test": "go test ./..."})),
    ({"Cargo.toml": "[package]\n"},
     detected("proj", "rust", ["rust"], "cargo", {"setup": "cargo fetch", "dev": "cargo run",
                                                  "build": "cargo build", "test": "cargo test"})),
    ({"package.json": "{}", "go.mod": "", "Cargo.toml": ""},
     detected("proj", "polyglot", ["javascript", "go", "rust"], "npm", {"setup": "npm install"})),
])
def test_detection(tmp_path, files, expected):
    assert project_config(make(tmp_path / "proj", files)) == expected


def test_agentpod_toml_is_parsed_as_it_is(tmp_path):
    root = make(tmp_path / "proj", {
        "package.json": "{}",
        "agentpod.toml": '[project]\nname = "x"\n[resources]\ntier = "builder"\n'
                         "[misc]\nat = 1979-05-27T07:32:00Z\nratio = inf\nlist = [1, 2]\n"})
    assert project_config(root) == {
        "project": {"name": "x"}, "resources": {"tier": "builder"},
        "misc": {"at": "1979-05-27T07:32:00+00:00", "ratio": "inf", "list": [1, 2]}}


@pytest.mark.parametrize("setup", ["invalid", "directory", "too large", "not utf-8", "symlink out"])
def test_an_unusable_agentpod_toml_gives_none_not_a_detected_config(tmp_path, setup):
    root = make(tmp_path / "proj", {"package.json": "{}"})
    target = root / "agentpod.toml"
    if setup == "invalid":
        target.write_text("[project\n")
    elif setup == "directory":
        target.mkdir()
    elif setup == "too large":
        target.write_text("# " + "x" * (1024 * 1024))
    elif setup == "not utf-8":
        target.write_bytes(b"name = '\xff'\n")
    else:
        (tmp_path / "outside.toml").write_text('[project]\nname = "outside"\n')
        os.symlink(tmp_path / "outside.toml", target)
    assert project_config(root) is None


def test_marker_files_linked_from_outside_are_not_followed(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "outside", "scripts": {"dev": "x"}}')
    root = make(tmp_path / "proj", {})
    os.symlink(tmp_path / "package.json", root / "package.json")
    assert project_config(root) == detected("proj", "fullstack", [], None, {})
