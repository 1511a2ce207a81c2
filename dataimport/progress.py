"""An import's progress, recorded where the import page can see it while the import runs.

An import writes everything in one transaction, so its progress cannot be written through the
same connection: nobody would see it before the commit. `ProgressRecorder` writes it over a
second connection to the same database, in autocommit, at most every `interval` seconds.
SQLite allows one writer at a time, so there only the start of each phase is recorded (before
the import's transaction begins) and the page shows the import as running without figures.
"""

import time

from django.db import connections
from django.utils import timezone

from .models import ImportLog


def is_live() -> bool:
    """Whether progress is seen while an import runs (not on SQLite: see above)."""
    return connections["default"].vendor == "postgresql"


# Seconds between two writes of the progress; the page asks every second.
INTERVAL = 0.5


class ProgressRecorder:
    def __init__(self, log_id: int, *, interval: float | None = None):
        self.log_id = log_id
        self.interval = INTERVAL if interval is None else interval
        self.live = is_live()
        self._connection = None
        self._last = 0.0

    def start(self, phase: str, total: int):
        """A new phase of `total` rows begins (nothing done yet)."""
        self._write(
            force=True, phase=phase, rows_total=total, rows_done=0, phase_started_at=timezone.now()
        )

    def advance(self, done: int, *, force: bool = False):
        """`done` rows of the phase are through; written unless one was just written."""
        self._write(force=force, rows_done=done)

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _write(self, *, force=False, **values):
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        if not self.live and connections["default"].in_atomic_block:
            return
        self._last = now
        values["progress_at"] = timezone.now()
        self._update(values)

    def _update(self, values: dict):
        connection = self._own_connection() if self.live else connections["default"]
        quote, meta = connection.ops.quote_name, ImportLog._meta
        assignments = ", ".join(f"{quote(name)} = %s" for name in values)
        parameters = [
            meta.get_field(name).get_db_prep_save(value, connection)
            for name, value in values.items()
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE id = %s",
                [*parameters, self.log_id],
            )

    def _own_connection(self):
        if self._connection is None:
            self._connection = connections.create_connection("default")
            self._connection.set_autocommit(True)
        return self._connection
