"""What the CSV and XLSX readers share: the error a clerk sees and the tally of repairs."""

from dataclasses import dataclass, field

# One record of a table as read from the file, before headers are applied:
# (row number as the user sees it, cell texts, a problem found while reading it or None).
Record = tuple[int, list[str], str | None]

ROWS_LISTED = 10  # row numbers spelled out in a note before "and N more"


class FileProblem(Exception):
    """A file that cannot be imported as it is; `message` tells the clerk what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def rows_phrase(numbers: list[int]) -> str:
    """'Row 4', 'Rows 4 and 9', 'Rows 4, 9, 12 and 35 more'."""
    if len(numbers) == 1:
        return f"Row {numbers[0]:,}"
    listed = [f"{n:,}" for n in numbers[:ROWS_LISTED]]
    more = len(numbers) - len(listed)
    if more:
        return f"Rows {', '.join(listed)} and {more:,} more"
    return f"Rows {', '.join(listed[:-1])} and {listed[-1]}"


def counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


@dataclass
class Tally:
    """Repairs made while reading rows, summed up as notes once the rows are read."""

    blank_rows: int = 0
    padded_rows: list[int] = field(default_factory=list)
    requoted_rows: list[int] = field(default_factory=list)
    resplit_rows: dict[str, list[int]] = field(default_factory=dict)

    def notes(self, separator_names: dict[str, str], separator: str | None) -> list[str]:
        notes = []
        if self.blank_rows:
            notes.append(f"Skipped {counted(self.blank_rows, 'empty row')}.")
        if self.padded_rows:
            notes.append(
                f"{rows_phrase(self.padded_rows)} had fewer values than there are columns; "
                "the missing values at the end were left empty."
            )
        if self.requoted_rows:
            notes.append(
                f"{rows_phrase(self.requoted_rows)} had quotes inside a quoted value that "
                'were not doubled ("); they were read as part of the value.'
            )
        for other, numbers in self.resplit_rows.items():
            notes.append(
                f"{rows_phrase(numbers)} used {separator_names[other]}s instead of "
                f"{separator_names[separator]}s between values; read them that way."
            )
        return notes
