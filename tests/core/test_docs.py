"""The operator's documentation stands on its own: README.md and docs/*.md name only files that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Markdown links `[text](target)`, and paths written as code that name a Markdown file (`spec/IMPORT.md`).
LINK = re.compile(r"\]\(([^)\s]+)\)|`([\w./-]+\.md)`")


def relative_targets(document: Path) -> list[str]:
    targets = []
    for link, code in LINK.findall(document.read_text()):
        target = (link or code).split("#", 1)[0]
        if target and not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto: ... are not files
            targets.append(target)
    return targets


def test_the_operators_documentation_exists():
    names = {document.name for document in DOCUMENTS}
    assert {"README.md", "import.md", "rollback.md", "deployment.md", "keys.md"} <= names
    linked = {Path(target).name for target in relative_targets(ROOT / "README.md")}
    assert {"import.md", "rollback.md", "deployment.md", "keys.md"} <= linked


def test_every_relative_link_resolves():
    broken = [f"{document.relative_to(ROOT)} -> {target}" for document in DOCUMENTS
              for target in relative_targets(document) if not (document.parent / target).exists()]
    assert broken == []
