"""Writing many rows at once, as fast as the database allows.

`insert_rows` takes plain tuples rather than model instances: building 100,000 instances and
compiling a multi-row INSERT for them costs more than the database's own work. On PostgreSQL
the ids come from the table's sequence in one query and the rows go in with COPY; elsewhere
(SQLite in development and tests) they go through `bulk_create`. Either way no signal fires
and no `save()` runs: the caller does what those would have done.
"""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone
from psycopg.adapt import Dumper

COPY_CHUNK = 10_000  # rows per sequence reservation and COPY


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
    ids = []
    with connection.cursor() as cursor:
        # values of other types (a django-countries Country) go in as their text
        cursor.cursor.adapters.register_dumper(object, _TextDumper)
        for start in range(0, len(rows), COPY_CHUNK):
            chunk = rows[start : start + COPY_CHUNK]
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(chunk)],
            )
            chunk_ids = [row[0] for row in cursor.fetchall()]
            statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            # psycopg formats each row in C and streams them as they come, so the database
            # inserts while the rest are formatted. Django's cursor wrapper does not see COPY:
            # its errors are translated here.
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                for pk, row in zip(chunk_ids, chunk, strict=True):
                    copy.write_row((pk, *row, *default_values))
            ids.extend(chunk_ids)
    return ids


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


def insert_history(model, fields, values, history_type, user, now):
    """simple-history's rows for records written in bulk (which its signals do not see):
    `values` are tuples in the order of `fields`, `history_type` "+" (created) or "~" (changed)."""
    own = {field.attname for field in model._meta.concrete_fields}
    stamps = [name for name in ("created_at", "updated_at") if name in own - set(fields)]
    insert_rows(
        model.history.model,
        [*fields, *stamps, "history_date", "history_type", "history_user_id"],
        [
            (*row, *(now for _ in stamps), now, history_type, getattr(user, "pk", None))
            for row in values
        ],
    )
