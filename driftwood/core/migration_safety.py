"""Migrations that are safe to apply while the previous release still serves (`manage.py
migrations_safety`, README "Deploys").

A release migrates first, then replaces the web and worker processes; for that while, the old code
runs against the new schema. So a migration must not:

- add a NOT NULL column without a database default (`db_default`): the old code's INSERTs leave it
  out and fail. Add it nullable, or with `db_default`;
- drop or rename a column or a table (RemoveField, RenameField, DeleteModel, RenameModel,
  AlterModelTable): the old code still reads and writes it. Stop using it in one release, drop it
  in the next;
- change a column's type (or shrink it, or set NOT NULL): PostgreSQL rewrites or scans the table
  under an ACCESS EXCLUSIVE lock, blocking every read and write meanwhile, and the old code may
  still write what no longer fits;
- build an index or a constraint on a table that already has rows with AddIndex / AddConstraint:
  both hold a lock that blocks writes for the whole build. Use
  `django.contrib.postgres.operations.AddIndexConcurrently` (in a migration with `atomic = False`),
  and for a constraint build its unique index concurrently first.

Operations on a table created earlier in the same migration are left alone: it is new and empty.
Migrations that landed before this check are listed in ALLOWED; the list only shrinks.

A squashed migration (`replaces`) runs only on a database that applied none of the migrations it
replaces, so it is checked like any other (its CreateModels make its tables new); the replaced
migrations stay on disk for databases that applied some of them and are checked too, from the
state before the squash, until they are deleted.
"""

from dataclasses import dataclass

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED

PROJECT_APPS = ("accounts", "core", "notifications", "tournaments", "wallet", "social", "chat", "integrations")

LANDED = "landed before the check existed (#20): applied everywhere, never to be edited"
# (app, migration) -> why its findings are allowed. An entry that finds nothing fails the check.
ALLOWED: dict[tuple[str, str], str] = {
    ("accounts", "0002_allow_messages_from_anyone"): LANDED,
    ("accounts", "0003_list_indexes"): LANDED,
    ("accounts", "0005_user_language"): LANDED,
    ("chat", "0002_list_indexes"): LANDED,
    ("chat", "0003_message_seq"): LANDED,
    ("chat", "0004_message_pinned"): LANDED,
    ("core", "0002_idempotency_key_finished"): LANDED,
    ("notifications", "0002_happenings_preferences_devices"): LANDED,
    ("social", "0003_list_indexes"): LANDED,
    ("tournaments", "0002_brackets"): LANDED,
    ("tournaments", "0004_dispute_evidence_check"): LANDED,
    ("tournaments", "0005_list_indexes"): LANDED,
    ("tournaments", "0007_waitlist"): LANDED,
    ("tournaments", "0008_waitlist_card_hold"): LANDED,
    ("tournaments", "0009_stream_url_announcements"): LANDED,
    ("tournaments", "0011_payment_fpx"): LANDED,
    ("wallet", "0003_double_entry"): LANDED,
    ("wallet", "0004_list_indexes"): LANDED,
    ("wallet", "0005_topup_payment_methods"): LANDED,
}


@dataclass(frozen=True)
class Finding:
    app_label: str
    migration: str
    operation: str
    problem: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.migration}: {self.operation}: {self.problem}"


def _field_changes(old, new) -> str | None:
    """Why altering `old` into `new` locks or rewrites the table, or None."""
    _, old_path, _, old_kwargs = old.deconstruct()
    _, new_path, _, new_kwargs = new.deconstruct()
    if old_path != new_path:
        return f"changes the column's type ({old_path.rsplit('.', 1)[-1]} -> {new_path.rsplit('.', 1)[-1]})"
    if (new_kwargs.get("max_length") or 0) < (old_kwargs.get("max_length") or 0):
        return "shrinks the column (max_length)"
    if new_kwargs.get("decimal_places") != old_kwargs.get("decimal_places") or (new_kwargs.get("max_digits") or 0) < (
        old_kwargs.get("max_digits") or 0
    ):
        return "changes the column's numeric precision"
    if old.null and not new.null:
        return "sets NOT NULL (a full scan under an exclusive lock; the old code may still write NULL)"
    return None


def operation_findings(app_label: str, operation, state: ProjectState, created: set[str]) -> list[str]:
    """What is unsafe in one operation, given the state before it and the models created so far in its migration."""
    model = getattr(operation, "model_name", None) or getattr(operation, "name_lower", None)
    if isinstance(operation, ops.CreateModel):
        created.add(operation.name_lower)
        return []
    if model in created:
        return []
    if isinstance(operation, ops.AddField):
        field = operation.field
        if not field.many_to_many and not field.null and field.db_default is NOT_PROVIDED:
            return ["adds a NOT NULL column without db_default: the previous release's INSERTs fail"]
    if isinstance(operation, (ops.RemoveField, ops.RenameField)):
        return ["drops or renames a column the previous release still uses"]
    if isinstance(operation, (ops.DeleteModel, ops.RenameModel, ops.AlterModelTable)):
        return ["drops or renames a table the previous release still uses"]
    if isinstance(operation, ops.AlterField):
        old = state.models[app_label, operation.model_name_lower].fields.get(operation.name)
        problem = old is not None and _field_changes(old, operation.field)
        return [problem] if problem else []
    if isinstance(operation, ops.AddIndex) and not isinstance(operation, AddIndexConcurrently):
        return ["builds an index without CONCURRENTLY on an existing table (writes wait for the build)"]
    if isinstance(operation, ops.AddConstraint):
        return ["adds a constraint to an existing table (writes wait while every row is checked)"]
    return []


def migration_findings(app_label: str, migration, state: ProjectState) -> list[Finding]:
    """Check `migration` against `state` (the project before it); `state` is moved past it."""
    found, created = [], set()
    for operation in migration.operations:
        for problem in operation_findings(app_label, operation, state, created):
            found.append(Finding(app_label, migration.name, operation.describe(), problem))
        operation.state_forwards(app_label, state)
    return found


def project_findings() -> list[Finding]:
    """Every finding in the project's migrations, in the order they apply (ALLOWED not applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)  # the files only: no database needed
    targets = loader.graph.leaf_nodes()
    plan = []
    for target in targets:
        plan.extend(node for node in loader.graph.forwards_plan(target) if node not in plan)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    found = []
    for app_label, name in plan:
        migration = loader.graph.nodes[app_label, name]
        if app_label in PROJECT_APPS:
            found.extend(replaced_findings(loader, migration, state))
            found.extend(migration_findings(app_label, migration, state))
        else:
            migration.mutate_state(state, preserve=False)
    return found


def replaced_findings(loader: MigrationLoader, squashed, state: ProjectState) -> list[Finding]:
    """The findings of the migrations `squashed` replaces, in order from `state` (left unchanged)."""
    found, replaced_state = [], state.clone()
    for key in squashed.replaces or ():
        found.extend(migration_findings(key[0], loader.disk_migrations[key], replaced_state))
    return found


def unsafe_migrations() -> tuple[list[Finding], list[tuple[str, str]]]:
    """(findings outside ALLOWED, ALLOWED entries that no longer have any finding)."""
    found = project_findings()
    flagged = {(finding.app_label, finding.migration) for finding in found}
    new = [finding for finding in found if (finding.app_label, finding.migration) not in ALLOWED]
    stale = sorted(key for key in ALLOWED if key not in flagged)
    return new, stale
