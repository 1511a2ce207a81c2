"""The import page's verbs: preview an upload (read, match the headers, dry-run the importer),
import a previewed file, and the files it offers for download."""

import csv
import hashlib
import io
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from config.importing import Counts, Mode, Plan, Problem, without_collector_pauses

from .models import ImportLog
from .progress import ProgressRecorder
from .reading import FileProblem, HeaderMatch, ParsedFile, ReadOptions, match_headers, read_table
from .targets import TARGETS, Target

NEW_CODES_SHOWN = 50


@dataclass
class Preview:
    """What importing the file would do, found without writing anything. Without `plan`, the
    file lacks a required column; choosing columns for its unknown headers may give it."""

    log: ImportLog
    parsed: ParsedFile
    match: HeaderMatch
    plan: Plan | None
    importer: object
    unused: list[tuple[str, str]]
    missing_message: str = ""

    @property
    def row_problems(self) -> list[Problem]:
        """What the reader could not make of a row, as problems without a column."""
        return [Problem(number, "", "", message) for number, message in self.parsed.row_problems]

    def columns(self) -> list[tuple[str, str, str]]:
        """Each header of the file: the column it is imported as (or "" when none), and why
        a matched one is not imported after all."""
        template_header = {found: header for header, found in self.match.mapping.items()}
        unused = dict(self.unused)
        for header in self.match.ignored_headers:
            unused[header] = "left out, as chosen"
        return [
            (header, template_header.get(header, ""), unused.get(header, ""))
            for header in self.parsed.headers
        ]

    def free_columns(self) -> list[str]:
        """The target's template headers no header of the file gives yet."""
        target = TARGETS[self.log.target]
        return [c.header for c in target.columns if c.header not in self.match.mapping]

    @property
    def problem_count(self) -> int:
        if self.plan is None:
            return 1
        return len(self.plan.problems) + len(self.parsed.row_problems)

    @property
    def is_valid(self) -> bool:
        return not self.problem_count and not self.match.unknown_headers


def preview_upload(*, target: Target, upload, mode: Mode, options: dict, defaults: dict, user):
    """Read and dry-run an uploaded file; keep it, with what the preview found, in an ImportLog.

    Raises FileProblem for a file that cannot be read and ValidationError for one the
    importer refuses as a whole (a required column missing, and no unknown column that could
    be it); then nothing is kept.
    """
    content = _read_upload(upload)
    log = ImportLog(
        target=target.name,
        user=user,
        file_name=upload.name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        mode=mode,
        options=options,
        defaults=defaults,
    )
    preview = analyse(log, user=user)
    if preview.plan is None and not preview.match.unknown_headers:
        raise ValidationError(preview.missing_message)
    _keep(log, preview)
    log.save()
    return preview


def choose_columns(*, log: ImportLog, chosen: dict[str, str], user) -> Preview:
    """The user's choice for headers the page did not recognise (header -> template header,
    or "" to leave the column out); the preview is made again with them."""
    log.options = {**log.options, "columns": {**log.options.get("columns", {}), **chosen}}
    preview = analyse(log, user=user)
    _keep(log, preview)
    log.save(update_fields=["options", "unknown_columns", "new", "updated", "unchanged", "invalid"])
    return preview


def _keep(log: ImportLog, preview: Preview):
    log.unknown_columns = preview.match.unknown_headers
    if preview.plan is not None:
        log.set_counts(preview.plan.counts)


def _read_upload(upload) -> bytes:
    """The upload's bytes; one over IMPORT_MAX_BYTES is refused (by read_table, which says its
    size and the limit) before it is read."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        read_table(upload, filename=upload.name)
    upload.seek(0)
    return upload.read()


@dataclass
class _Reading:
    """A stored file read and matched to its target, ready to be planned."""

    parsed: ParsedFile
    match: HeaderMatch
    mapping: dict[str, str]
    importer: object
    missing_message: str = ""

    def rows(self, unreadable: list[int], progress: ProgressRecorder | None = None):
        """(row number, {field: text}) for each readable row; the others' numbers go to
        `unreadable`."""
        for count, row in enumerate(self.parsed.rows, start=1):
            if progress is not None:
                progress.advance(count)
            if row.problems:
                unreadable.append(row.number)
                continue
            yield row.number, {name: row.values[h] for name, h in self.mapping.items()}


def _read(log: ImportLog, *, user) -> _Reading:
    target = TARGETS[log.target]
    mode = Mode(log.mode)
    parsed = read_table(bytes(log.content), filename=log.file_name, options=_read_options(log))
    match = match_headers(
        parsed.headers,
        target.aliases,
        required=target.required(mode),
        chosen=log.options.get("columns", {}),
    )
    mapping = target.fields_of(match.mapping)
    importer = target.importer(mode=mode, defaults=log.defaults, headers=mapping, user=user)
    missing = ""
    if match.missing_required:
        missing = _missing_columns_message(target, match.missing_required, mode)
    return _Reading(parsed, match, mapping, importer, missing)


@without_collector_pauses
def analyse(log: ImportLog, *, user, progress: ProgressRecorder | None = None) -> Preview:
    """Read the log's file and plan its import; nothing is written."""
    return _planned(log, _read(log, user=user), progress)


def _planned(log: ImportLog, reading: _Reading, progress: ProgressRecorder | None) -> Preview:
    if reading.missing_message:
        return Preview(
            log, reading.parsed, reading.match, None, reading.importer, [],
            missing_message=reading.missing_message,
        )  # fmt: skip
    unreadable = []
    plan = reading.importer.plan(reading.rows(unreadable, progress))
    plan.counts.invalid += len(unreadable)
    unused = TARGETS[log.target].unused(reading.mapping)
    return Preview(log, reading.parsed, reading.match, plan, reading.importer, unused)


def _read_options(log: ImportLog) -> ReadOptions:
    return ReadOptions(
        encoding=log.options.get("encoding") or None,
        delimiter=log.options.get("delimiter") or None,
    )


def _missing_columns_message(target: Target, missing: list[str], mode: Mode) -> str:
    parts = []
    for header in missing:
        column = target.column_headed(header)
        accepted = ", ".join([column.header, *column.aliases])
        parts.append(f"{column.header} (headed one of: {accepted})")
    needed = "needs" if len(parts) == 1 else "need"
    why = " to find each record to update" if mode == Mode.UPDATE else ""
    return (
        f"The file has no {' or '.join(parts)} column; {target.label.lower()} {needed} it{why}. "
        "Add the column and upload the file again."
    )


# --- importing ---------------------------------------------------------------------------


def start_import(*, log: ImportLog, user) -> ImportLog:
    """Import a previewed file: at once when it is small, else as a background job that the
    log page follows. Returns the log as it stands."""
    if log.unknown_columns:
        raise ValidationError(
            "Choose what to do with each column listed above (import it as one of ours, or "
            "leave it out) before importing."
        )
    if log.counts.total <= settings.IMPORT_INLINE_MAX_ROWS:
        return run_import(log_id=log.pk, user=user)
    from .tasks import import_file  # the task module imports this one

    queued = ImportLog.objects.filter(pk=log.pk, status=ImportLog.Status.PREVIEWED)
    if queued.update(status=ImportLog.Status.QUEUED):
        result = import_file.enqueue(log.pk, getattr(user, "pk", None))
        ImportLog.objects.filter(pk=log.pk).update(task_id=str(result.id))
    return ImportLog.objects.without_content().get(pk=log.pk)


def run_import(*, log_id: int, user) -> ImportLog:
    """Import a previewed (or queued) file: read and plan it again (the data may have changed
    since the preview) and write it in one transaction, recording progress as it goes.
    Returns the log, imported or failed with the reason; a failed import has written nothing.
    A log another request or worker has already taken is returned as it is."""
    claimed = ImportLog.objects.filter(
        pk=log_id, status__in=[ImportLog.Status.PREVIEWED, ImportLog.Status.QUEUED]
    ).update(status=ImportLog.Status.RUNNING)
    if not claimed:
        return ImportLog.objects.without_content().get(pk=log_id)
    started = time.monotonic()
    progress = ProgressRecorder(log_id)
    try:
        log = ImportLog.objects.get(pk=log_id)
        progress.start(ImportLog.Phase.CHECKING, log.counts.total)
        with transaction.atomic():
            counts = _check_and_write(log, user, progress)
            _finish(log, ImportLog.Status.IMPORTED, started, counts=counts)
            return log
    except (FileProblem, ValidationError, IntegrityError) as error:
        return _failed(log_id, started, _reason(error))
    except Exception as error:
        _failed(log_id, started, f"Unexpected error: {error.__class__.__name__}.")
        raise
    finally:
        progress.close()


@without_collector_pauses
def _check_and_write(log: ImportLog, user, progress: ProgressRecorder) -> Counts:
    """Plan the file again and write it; the counts of what was written. An importer that
    can check and write in one pass (`plan_and_write`) does so; the others plan the whole
    file first."""
    reading = _read(log, user=user)
    if not hasattr(reading.importer, "plan_and_write"):
        return _plan_then_write(log, reading, progress)
    unreadable = []
    rows = list(reading.rows(unreadable))
    if reading.missing_message or reading.match.unknown_headers or unreadable:
        raise ValidationError(
            "The file has problems when read again (it may have been chosen differently "
            "since the preview). Upload it again to see them."
        )
    progress.start(ImportLog.Phase.IMPORTING, len(rows))
    plan = reading.importer.plan_and_write(rows, progress=progress.advance)
    _record_written(log, plan, ImportLog.Phase.IMPORTING, len(rows), progress)
    return plan.counts


def _plan_then_write(log: ImportLog, reading: _Reading, progress: ProgressRecorder) -> Counts:
    preview = _planned(log, reading, progress)
    if not preview.is_valid:
        raise ValidationError(
            f"The file has {preview.problem_count} problem(s) when checked again (the data "
            "may have changed since the preview). Upload it again to see them."
        )
    plan = preview.plan
    progress.start(ImportLog.Phase.WRITING, len(plan.rows))
    preview.importer.write(plan, progress=progress.advance)
    _record_written(log, plan, ImportLog.Phase.WRITING, len(plan.rows), progress)
    return plan.counts


def _record_written(log: ImportLog, plan: Plan, phase: str, total: int, progress):
    progress.advance(total, force=True)
    log.new_codes = plan.new_keys(NEW_CODES_SHOWN)
    log.phase, log.rows_total, log.rows_done = phase, total, total


def _reason(error) -> str:
    if isinstance(error, FileProblem):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return (
        "The database refused the import, probably because another import or user added the "
        "same code meanwhile. Upload the file again to see what changed."
    )


def _failed(log_id: int, started: float, message: str) -> ImportLog:
    failed = ImportLog.objects.without_content().get(pk=log_id)
    _finish(failed, ImportLog.Status.FAILED, started, message=message)
    return failed


def _finish(log: ImportLog, status, started: float, *, counts=None, message=""):
    log.status = status
    log.finished_at = timezone.now()
    log.duration = timedelta(seconds=time.monotonic() - started)
    log.message = message
    fields = ["status", "finished_at", "duration", "message"]
    if counts is not None:
        log.set_counts(counts)
        fields += ["new", "updated", "unchanged", "invalid", "new_codes"]
        fields += ["phase", "rows_total", "rows_done"]
    log.save(update_fields=fields)


# --- downloads ---------------------------------------------------------------------------


def invalid_rows_csv(preview: Preview) -> str:
    """The rows with problems as they are in the file, with an added "Error" column, so they
    can be corrected and uploaded again on their own."""
    errors = defaultdict(list)
    for problem in preview.plan.problems:
        where = f"{problem.column}: " if problem.column else ""
        errors[problem.row].append(f"{where}{problem.message}")
    for number, message in preview.parsed.row_problems:
        errors[number].append(message)
    log = preview.log
    parsed = read_table(bytes(log.content), filename=log.file_name, options=_read_options(log))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*parsed.headers, "Error"])
    for row in parsed.rows:
        if row.number in errors:
            writer.writerow([*row.values.values(), " ".join(errors[row.number])])
    return out.getvalue()


def template_csv(target: Target) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in target.columns])
    writer.writerow([target.example.get(column.field, "") for column in target.columns])
    return out.getvalue()


def template_xlsx(target: Target) -> bytes:
    """The template as a workbook: the columns with an example row, and a "Columns" sheet
    that explains each one."""
    book = Workbook()
    sheet = book.active
    sheet.title = target.label
    sheet.append([column.header for column in target.columns])
    sheet.append([target.example.get(column.field, "") for column in target.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    columns = book.create_sheet("Columns")
    columns.append(["Column", "Required", "Also accepted as", "What to put in it"])
    for column in target.columns:
        required = "yes" if column.required else ""
        if column.field in target.key_fields:
            required = "yes, and to find what to update" if column.required else "to update"
        columns.append([column.header, required, ", ".join(column.aliases), column.help])
    for cell in columns[1]:
        cell.font = Font(bold=True)
    for cells in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in cells)
        sheet.column_dimensions[cells[0].column_letter].width = width + 2
    for letter, width in zip("ABCD", (20, 10, 50, 60), strict=True):
        columns.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- housekeeping ------------------------------------------------------------------------


def purge_old_files(*, older_than: timedelta, now=None) -> tuple[int, int]:
    """Forget uploaded files older than `older_than`: previews never imported are deleted
    whole; imports and failures keep their log (who, when, counts, SHA-256) without the file.
    Returns (previews deleted, files dropped). Queued and running imports are left alone."""
    cutoff = (now or timezone.now()) - older_than
    old = ImportLog.objects.filter(started_at__lt=cutoff)
    deleted, _ = old.filter(status=ImportLog.Status.PREVIEWED).delete()
    finished = old.filter(status__in=[ImportLog.Status.IMPORTED, ImportLog.Status.FAILED])
    dropped = finished.exclude(content=b"").update(content=b"")
    return deleted, dropped
