"""Migration operations for what Django 5.2's schema editor cannot express.

- `SetOnDelete`: Django enforces `on_delete` in Python only; the mirrored schema needs the database
  itself to cascade or set null, so rows deleted by plain SQL (psql, COPY-based imports, other
  services) behave the same. Django 6.1's `db_on_delete` will make this unnecessary.
- `ExactlyOneDefault`: a deferred constraint trigger that keeps exactly one `is_default` row in a
  reference table (a partial unique index already forbids two; this forbids none).
- `NotifyOnChange`: triggers that send `NOTIFY` when rows change, for the in-memory caches of
  `core.db.notifications`.
"""

from django.db import migrations

_ACTIONS = {"cascade": "CASCADE", "set null": "SET NULL", "no action": "NO ACTION"}


class SetOnDelete(migrations.operations.base.Operation):
    """Give the foreign key on `table.column` the database-level ON DELETE `action`."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, column: str, action: str):
        self.table, self.column, self.action = table, column, action.lower()
        if self.action not in _ACTIONS:
            raise ValueError(f"Unsupported ON DELETE action: {action}")

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table, self.column, self.action], {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._recreate(schema_editor, _ACTIONS[self.action])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._recreate(schema_editor, _ACTIONS["no action"])

    def describe(self):
        return f"ON DELETE {self.action.upper()} for {self.table}.{self.column}"

    def _recreate(self, schema_editor, action_sql: str) -> None:
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, self.table)
        matches = [(name, info) for name, info in constraints.items()
                   if info["foreign_key"] and info["columns"] == [self.column]]
        if len(matches) != 1:
            raise RuntimeError(f"Expected one foreign key on {self.table}.{self.column}, found {len(matches)}")
        name, info = matches[0]
        ref_table, ref_column = info["foreign_key"]
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(self.table)} DROP CONSTRAINT {quote(name)}, "
            f"ADD CONSTRAINT {quote(name)} FOREIGN KEY ({quote(self.column)}) "
            f"REFERENCES {quote(ref_table)} ({quote(ref_column)}) ON DELETE {action_sql} "
            f"DEFERRABLE INITIALLY DEFERRED"
        )


class ExactlyOneDefault(migrations.operations.base.Operation):
    """At commit time, a non-empty `table` must have exactly one row with `is_default` true."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str):
        self.table = table

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table], {}

    def state_forwards(self, app_label, state):
        pass

    @property
    def _function(self) -> str:
        return f"{self.table}_exactly_one_default"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table, function = schema_editor.quote_name(self.table), self._function
        schema_editor.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE defaults integer;
            BEGIN
                SELECT count(*) FILTER (WHERE is_default) INTO defaults FROM {table};
                IF defaults <> 1 AND EXISTS (SELECT 1 FROM {table}) THEN
                    RAISE EXCEPTION '{self.table} must have exactly one default row, found %', defaults
                        USING ERRCODE = 'check_violation', CONSTRAINT = '{function}';
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}();
        """, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table, function = schema_editor.quote_name(self.table), self._function
        schema_editor.execute(f"DROP TRIGGER {function} ON {table}; DROP FUNCTION {function}();")

    def describe(self):
        return f"Exactly one default row in {self.table}"


class NotifyOnChange(migrations.operations.base.Operation):
    """`NOTIFY channel, <the old row's key_column>` for each updated or deleted row of `table` (only when one
    of `columns` is set, if given), and `NOTIFY channel, ''` on TRUNCATE: forget everything. PostgreSQL
    delivers it when the writing transaction commits, and not at all when it rolls back. A new row needs
    no notification: nothing was kept for it."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, channel: str, key_column: str, columns: list[str] | None = None):
        self.table, self.channel, self.key_column, self.columns = table, channel, key_column, columns

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table, self.channel, self.key_column, self.columns], {}

    def state_forwards(self, app_label, state):
        pass

    @property
    def _function(self) -> str:
        return f"{self.table}_notify_{self.channel}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        quote, function = schema_editor.quote_name, self._function
        table = quote(self.table)
        update = f"UPDATE OF {', '.join(quote(column) for column in self.columns)}" if self.columns else "UPDATE"
        schema_editor.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{self.channel}',
                                  CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.{quote(self.key_column)} END);
                RETURN NULL;
            END $$;
            CREATE TRIGGER {function} AFTER {update} OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}();
            CREATE TRIGGER {function}_truncate AFTER TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}();
        """, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table, function = schema_editor.quote_name(self.table), self._function
        schema_editor.execute(f"DROP TRIGGER {function} ON {table}; DROP TRIGGER {function}_truncate ON {table}; "
                              f"DROP FUNCTION {function}();")

    def describe(self):
        return f"NOTIFY {self.channel} when rows of {self.table} change"
