"""Writing many rows at once, as fast as the database allows.

`insert_rows` takes plain tuples rather than model instances: building 100,000 instances and
compiling a multi-row INSERT for them costs more than the database's own work. On PostgreSQL
the ids come from the table's sequence in one query and the rows go in with COPY; elsewhere
(SQLite in development and tests) they go through `bulk_create`. Either way no signal fires
and no `save()` runs: the caller does what those would have done.

Foreign keys, checked per batch. PostgreSQL checks a foreign key with one trigger call per
row and column, at commit; for a customer import that is 17 checks per customer, 4.4 s of
an import of 100,000 customers. Where the database lets this connection switch those triggers off
for a statement (a superuser, or a role granted `SET` on `session_replication_role`, see
docs/deployment.md), `insert_rows` does the same check itself once per batch: it reads and
locks `FOR KEY SHARE` every row the batch refers to, exactly the lock the triggers would
take, so a row referred to cannot be deleted before the import commits, and a reference
to a missing row fails the statement with an IntegrityError. Then it writes the batch with
the triggers off and switches them back on. A table with triggers of its own, or a
connection without the privilege, keeps the triggers.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import ForeignKey
from django.utils import timezone
from psycopg import pq
from psycopg.adapt import Dumper

COPY_CHUNK = 10_000  # rows per sequence reservation and COPY
SQLITE_IN_CHUNK = 500  # ids per statement where there are no arrays


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> list[int]:
    """Insert `rows` (values in the order of `fields`, attribute names such as "company_id")
    into `model`'s table and return the new primary keys in the same order."""
    rows = list(rows)
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows)
    return _bulk_create_rows(model, fields, rows)


def _copy_rows(model, fields, rows):
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    defaults = _defaults_for_the_rest(model, given)
    columns = [pk_column, *(f.column for f in given), *(f.column for f, _ in defaults)]
    default_values = tuple(value for _, value in defaults)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    references = _references(given, rows, defaults)
    ids = []
    with (
        connection.cursor() as cursor,
        _KeysCheckedPerBatch(cursor, model, references) as keys,
    ):
        # values of other types (a django-countries Country) go in as their text
        cursor.cursor.adapters.register_dumper(object, _TextDumper)
        sequence = _sequence_oid(cursor, table, pk_column)
        for start in range(0, len(rows), COPY_CHUNK):
            chunk = rows[start : start + COPY_CHUNK]
            cursor.execute(
                "SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)",
                [sequence, len(chunk)],
            )
            chunk_ids = [row[0] for row in cursor.fetchall()]
            # psycopg formats each row in C and streams them as they come, so the database
            # inserts while the rest are formatted. Django's cursor wrapper does not see COPY:
            # its errors are translated here.
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                for pk, row in zip(chunk_ids, chunk, strict=True):
                    copy.write_row((pk, *row, *default_values))
            ids.extend(chunk_ids)
        keys.written(ids)
    return ids


def _sequence_oid(cursor, table, pk_column) -> int:
    """The oid of the sequence behind the primary key, looked up once: naming the sequence in
    the `nextval` call instead triples the cost of each id."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::oid", [table, pk_column])
    return cursor.fetchone()[0]


class _TextDumper(Dumper):
    """Any value as its text, for COPY's text format."""

    def dump(self, obj) -> bytes:
        return str(obj).encode()


def _defaults_for_the_rest(model, given):
    """(field, value) for each column the caller left out, as `bulk_create` fills it: now for
    auto_now(_add) fields, else the field's default ("" for text, None without one)."""
    return [
        (field, timezone.now() if _is_auto_now(field) else field.get_default())
        for field in model._meta.concrete_fields
        if not field.primary_key and field not in given
    ]


def _is_auto_now(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _bulk_create_rows(model, fields, rows):
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=500)
    return [obj.pk for obj in objects]


# --- foreign keys, checked once per batch -----------------------------------------------------


def _references(given, rows, defaults) -> dict:
    """{foreign key field: the distinct values the rows give it}, for the keys the database
    enforces."""
    references = {
        field: {row[index] for row in rows} - {None}
        for index, field in enumerate(given)
        if _is_enforced_key(field)
    }
    references.update(
        (field, {value} - {None}) for field, value in defaults if _is_enforced_key(field)
    )
    return {field: values for field, values in references.items() if values}


def _is_enforced_key(field) -> bool:
    return isinstance(field, ForeignKey) and field.db_constraint


class _KeysCheckedPerBatch:
    """Around statements that insert into `model`'s table: with the foreign key triggers
    off, after locking and checking every row `references` names; a no-op where the
    triggers must stay. Rows that `insert_rows` wrote earlier in the same transaction (and
    not in a savepoint rolled back since) need no check: nobody else can see them yet, let
    alone delete them. `written(ids)` records the ids the statements wrote."""

    def __init__(self, cursor, model, references):
        self.cursor, self.model, self.references = cursor, model, references
        self.switched = False
        self.transaction = None

    def __enter__(self):
        self.transaction = _transaction_if_triggers_may_be_off(self.cursor, self.model)
        if self.transaction is None:
            return self
        written = _written_in(self.transaction)
        unchecked = {
            field: written.unwritten(field.target_field.model, values)
            for field, values in self.references.items()
        }
        if unchecked := {field: values for field, values in unchecked.items() if values}:
            _lock_referenced_rows(self.cursor, self.model, unchecked)
        self.cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        self.switched = True
        return self

    def __exit__(self, error_type, error, traceback):
        # A failed statement aborts the transaction, whose rollback undoes the setting; after
        # any other error the transaction goes on, and so must the triggers.
        if self.switched and not _transaction_failed():
            self.cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")

    def written(self, ids):
        if self.transaction is not None:
            _written_in(self.transaction).add(self.model, ids)


def _transaction_failed() -> bool:
    return connection.connection.info.transaction_status == pq.TransactionStatus.INERROR


def _transaction_if_triggers_may_be_off(cursor, model) -> str | None:
    """The id of the current transaction when this connection may switch `model`'s triggers
    off, else None."""
    if not getattr(settings, "BULK_KEY_CHECKS_PER_BATCH", True):
        return None
    may_set = (
        "has_parameter_privilege('session_replication_role', 'SET')"
        if connection.pg_version >= 150000
        else "false"
    )
    cursor.execute(
        f"""SELECT (current_setting('is_superuser') = 'on' OR {may_set})
                AND current_setting('session_replication_role') = 'origin'
                AND NOT EXISTS (
                    SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal
                ),
                pg_current_xact_id()::text""",
        [connection.ops.quote_name(model._meta.db_table)],
    )
    allowed, transaction_id = cursor.fetchone()
    return transaction_id if allowed else None


class _Written:
    """The ids `insert_rows` wrote in one transaction, with the savepoints open at the time."""

    def __init__(self, transaction_id):
        self.transaction_id = transaction_id
        self.entries = []  # (model, savepoints, ids)

    def add(self, model, ids):
        self.entries.append((model, _open_savepoints(), set(ids)))

    def unwritten(self, model, ids: set) -> set:
        """Those of `ids` not written as `model` rows in savepoints that are all still open
        (or outside any). The newest entries first: a batch mostly refers to the last one."""
        now_open = _open_savepoints()
        for written_model, savepoints, written_ids in reversed(self.entries):
            if not ids:
                break
            if written_model is model and now_open[: len(savepoints)] == savepoints:
                ids = ids - written_ids
        return ids


def _open_savepoints() -> tuple:
    # Django names savepoints uniquely within a transaction: one rolled back never returns.
    return tuple(sid for sid in connection.savepoint_ids if sid)


def _written_in(transaction_id) -> _Written:
    written = getattr(connection, "bulk_written", None)
    if written is None or written.transaction_id != transaction_id:
        written = connection.bulk_written = _Written(transaction_id)
    return written


def _lock_referenced_rows(cursor, model, references):
    """What the foreign key triggers do for each row and key, in one statement for all."""
    quote = connection.ops.quote_name
    parts, params = [], []
    for number, (field, values) in enumerate(references.items()):
        target = field.target_field
        column, table = quote(target.column), quote(target.model._meta.db_table)
        parts.append(
            f"key{number} AS (SELECT {column} AS id FROM {table} "
            f"WHERE {column} = ANY(%s) ORDER BY 1 FOR KEY SHARE)"
        )
        params.append(list(values))
    found = " UNION ALL ".join(f"SELECT {n}, id FROM key{n}" for n in range(len(parts)))
    cursor.execute(f"WITH {', '.join(parts)} {found}", params)
    present = defaultdict(set)
    for number, value in cursor.fetchall():
        present[number].add(value)
    for number, (field, values) in enumerate(references.items()):
        if missing := values - present[number]:
            raise IntegrityError(
                f'insert into table "{model._meta.db_table}" violates its foreign key '
                f'"{field.column}": {sorted(missing, key=str)[:5]} not present in table '
                f'"{field.target_field.model._meta.db_table}".'
            )


# --- history ----------------------------------------------------------------------------------


def record_history(model, ids: Sequence[int], history_type: str, user, now) -> None:
    """simple-history's rows for records written in bulk (which its signals do not see): a
    copy of each row as stored now, made by the database, `history_type` "+" (created) or
    "~" (changed)."""
    if not ids:
        return
    history = model.history.model
    tracked = [
        field.column
        for field in history._meta.concrete_fields
        if not field.attname.startswith("history_")
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in tracked)
    pk = quote(model._meta.pk.column)
    statement = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, NULL, %s, %s FROM {quote(model._meta.db_table)} WHERE {pk} "
    )
    user_id = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            user_field = history._meta.get_field("history_user")
            references = {user_field: {user_id}} if user_id and user_field.db_constraint else {}
            with _KeysCheckedPerBatch(cursor, history, references):
                cursor.execute(f"{statement}= ANY(%s)", [now, history_type, user_id, list(ids)])
            return
        for start in range(0, len(ids), SQLITE_IN_CHUNK):
            chunk = list(ids[start : start + SQLITE_IN_CHUNK])
            marks = ", ".join("%s" for _ in chunk)
            cursor.execute(f"{statement}IN ({marks})", [now, history_type, user_id, *chunk])
