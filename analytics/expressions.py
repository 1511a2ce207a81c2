"""Small SQL expressions the reports and summaries share, for PostgreSQL and SQLite alike."""

from django.db.models import DecimalField, Func, IntegerField, Value
from django.db.models.functions import NullIf

WIDE_FIELD = DecimalField(max_digits=30, decimal_places=12)  # products before rounding


class DaysBetween(Func):
    """Whole days from `earlier` to `later` (two dates)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, later, earlier):
        super().__init__(later, earlier)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Ratio(Func):
    """`dividend` / `divisor`, NULL when the divisor is 0; on SQLite too never an integer
    division (it keeps whole numbers, such as a total of 140.00, as integers)."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = WIDE_FIELD

    def __init__(self, dividend, divisor):
        super().__init__(dividend, NullIf(divisor, Value(0)))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(%(expressions)s)",
            arg_joiner=" AS REAL) / ",
            **extra,
        )
