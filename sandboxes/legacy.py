"""Legacy mapping of `sandboxes`, and of the release 0-1 `projects` (no owner, no PostgreSQL table:
counted and listed by id and name in the report, not imported).

The old server kept every sandbox's repository in one folder, `<REPOS_DIR>/<repoName>`; here each user
has their own (`REPOS_DIR/<user id>/<name>`, the repos app). `import_sqlite --repos-dir OLD_DIR` brings
them over in `finalize`, after the sandboxes rows are in: each imported sandbox's `OLD_DIR/<repoName>`
is copied (or, with `--move-repos`, moved) to its owner's folder through `repos.services.repository_adopt`.

Why an option of the import rather than a command of the repos app: the placement needs the sandboxes
(owner and repository name), which the repos app may not read (it sits below sandboxes); the import
already knows which sandboxes it brought in, and its re-runs are idempotent, so this is too: a
repository already in place (recognised by the sandbox id it records in its git config) is skipped. One
that cannot be placed (no such folder, not a git repository, a different repository already at the
name, an invalid name) is reported as an entry "repository not placed" with the reason, plus a hint; it
does not reject the sandbox row. A dry run only reports what it would do.

The export writes sandboxes back (ISO timestamps, as the model wrote them), except deleted ones: the old
server has no deleted sandbox (it deleted the row, and the chat history with it), so a deleted sandbox
and its archived chat history (chat/legacy.py) are skipped, summed up in one note of the report. The
legacy `projects` table is written empty, since nothing of it was kept.
"""

from legacy.export import ExportTable, Withheld, iso
from legacy.mapping import Parent, Table
from legacy.values import Cleaner
from repos.paths import NAME_RE
from repos.services import RepositoryNotPlaced, repository_adopt

from .models import Sandbox, SandboxStatus

DEPENDS_ON = ("accounts",)
ORDER = 50

_STATUSES = set(SandboxStatus.values)


def convert_sandbox(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        row["id"],
        c.text("user_id", row["user_id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("slug", row["slug"], required=True),
        c.text("description", row.get("description")),
        c.text("repo_name", row["repo_name"], required=True),
        c.text("github_url", row.get("github_url")),
        c.text("resource_tier_id", row.get("resource_tier_id")),
        c.text("flavor_id", row.get("flavor_id")),
        c.json_text("addon_ids", row.get("addon_ids"), default="[]"),
        c.text("container_id", row.get("container_id")),
        c.text("container_name", row.get("container_name")),
        c.choice("status", row.get("status"), _STATUSES),
        c.text("error_message", row.get("error_message")),
        c.text("opencode_url", row.get("opencode_url")),
        c.text("acp_gateway_url", row.get("acp_gateway_url")),
        c.text("vnc_url", row.get("vnc_url")),
        c.text("code_server_url", row.get("code_server_url")),
        created,
        updated,
        c.timestamp("last_accessed_at", row.get("last_accessed_at")),
    )


TABLES = [
    Table(
        "sandboxes",
        Sandbox,
        (
            "id",
            "user_id",
            "name",
            "slug",
            "description",
            "repo_name",
            "github_url",
            "resource_tier_id",
            "flavor_id",
            "addon_ids",
            "container_id",
            "container_name",
            "status",
            "error_message",
            "opencode_url",
            "acp_gateway_url",
            "vnc_url",
            "code_server_url",
            "created_at",
            "updated_at",
            "last_accessed_at",
        ),
        convert_sandbox,
        parents=(Parent("user_id", "user"),),
        unique=(("user_id", "slug"),),
    ),
    Table(
        "projects",
        skip_reason="legacy project (release 0-1): no owner and no PostgreSQL table, not imported",
        skip_value="name",
    ),
]


# -- export -----------------------------------------------------------------------------------------

# The one report note of every table whose rows belong to a deleted sandbox (its chat's too).
DELETED_SANDBOXES_NOTE = (
    "deleted sandboxes and their archived chat history are not exported (the old server has no deleted "
    "sandbox: it deleted a sandbox's chat history with it; PostgreSQL keeps them)"
)
DELETED_SANDBOX_IDS = f'SELECT x.id FROM "{Sandbox._meta.db_table}" x WHERE x.deleted_at IS NOT NULL'

EXPORT_TABLES = [
    ExportTable(
        "sandboxes",
        Sandbox,
        ("id", "user_id", "name", "slug", "description", "repo_name", "github_url", "resource_tier_id",
         "flavor_id", "addon_ids", "container_id", "container_name", "status", "error_message",
         "opencode_url", "acp_gateway_url", "vnc_url", "code_server_url", iso("created_at"),
         iso("updated_at"), iso("last_accessed_at")),
        withheld=Withheld('t."deleted_at" IS NOT NULL', "deleted sandbox (the old server has none)",
                          DELETED_SANDBOXES_NOTE),
    ),
    ExportTable(
        "projects",
        note="projects: the legacy release 0-1 projects were not imported (no PostgreSQL table), the table "
        "is written empty",
    ),
]
def finalize(ctx) -> None:
    """With `--repos-dir`, place the repository of every imported sandbox (see the module docstring)."""
    main = ctx.sources["main"]
    if ctx.repos_dir is None or "sandboxes" not in main.tables:
        return
    legacy_names = dict(main.connection.execute("SELECT id, repo_name FROM sandboxes"))
    stats = ctx.report.table("sandboxes", "sandboxes")
    outcomes: dict[str, int] = {}
    sandboxes = Sandbox.objects.filter(pk__in=list(legacy_names)).select_related("user").order_by("pk")
    for sandbox in sandboxes:
        old_name = legacy_names[sandbox.pk]
        try:
            if not isinstance(old_name, str) or not NAME_RE.match(old_name):
                raise RepositoryNotPlaced(f"{old_name!r} is not a valid repository name")
            outcome = repository_adopt(user=sandbox.user, name=sandbox.repo_name,
                                       source=ctx.repos_dir / old_name, origin=sandbox.pk,
                                       move=ctx.move_repos, dry_run=ctx.report.dry_run)
        except RepositoryNotPlaced as error:
            outcome = "not placed"
            ctx.report.entry(stats, "repository not placed", sandbox.pk, "repo_name", old_name, str(error))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        ctx.log(f"  repository {old_name}: {outcome}")
    counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "none"
    ctx.report.notes.append(f"repositories from {ctx.repos_dir}: {counts}")
    if outcomes.get("not placed"):
        ctx.report.hint(
            f"{outcomes['not placed']} sandbox repositories were not placed (report entries \"repository not "
            "placed\"): fix them under --repos-dir and re-run, or place them in "
            "REPOS_DIR/<user id>/<repoName>."
        )
