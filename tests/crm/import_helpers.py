"""What the tests of the contact, address and customer imports share."""

import re
from pathlib import Path

from dataimport.reading import match_headers, read_table

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CHINOOK_CUSTOMERS = SHARED / "chinook" / "customers.csv"

INSERT_INTO = re.compile(r'INSERT INTO "?(\w+)"?')


def statements(queries) -> int:
    """The statements an import sent, counting the chunks of one bulk insert once: SQLite
    takes at most 999 parameters a query, so Django splits a bulk insert of many rows into
    several INSERTs there (PostgreSQL gets one COPY)."""
    count, previous = 0, None
    for query in queries.captured_queries:
        table = INSERT_INTO.match(query["sql"])
        table = table and table.group(1)
        if table is None or table != previous:
            count += 1
        previous = table
    return count


def file_rows(path, columns) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    return table_rows(path.read_bytes(), path.name, columns)


def table_rows(content: bytes, filename: str, columns):
    """A file read as the import page reads it: {field: header} of the headers that match
    `columns`, and the (row number, {field: text}) pairs an importer plans."""
    parsed = read_table(content, filename=filename)
    aliases = {column.header: list(column.aliases) for column in columns}
    field_of = {column.header: column.field for column in columns}
    match = match_headers(parsed.headers, aliases)
    headers = {field_of[header]: found for header, found in match.mapping.items()}
    rows = [
        (row.number, {name: row.values[header] for name, header in headers.items()})
        for row in parsed.rows
    ]
    return headers, rows


def planned_and_written(job, rows):
    """Plan `rows` with `job`, which must find them valid, and write them."""
    plan = job.plan(rows)
    assert plan.is_valid, [str(problem) for problem in plan.problems]
    job.write(plan)
    return plan
