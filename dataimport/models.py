"""One row per file uploaded on the import page: what was asked, what the preview found and what
the import wrote (or why it did not)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.importing import Counts, Mode


class ImportLogQuerySet(models.QuerySet):
    def without_content(self):
        """The log rows without the uploaded files, for lists."""
        return self.defer("content")


class ImportLog(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    class Phase(models.TextChoices):
        CHECKING = "checking", "Checking the rows again"
        WRITING = "writing", "Writing"
        IMPORTING = "importing", "Checking and writing the rows"

    target = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    # The upload itself, read again by the import step. It lives in the database rather than
    # on a disk so that any web process, on any machine, can import what another previewed.
    content = models.BinaryField(editable=False)
    mode = models.CharField(max_length=10, choices=[(mode.value, mode.label) for mode in Mode])
    options = models.JSONField(default=dict, blank=True, help_text="Encoding and separator.")
    defaults = models.JSONField(default=dict, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    new_codes = models.JSONField(default=list, blank=True)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    message = models.TextField(blank=True)
    # A running import's progress, written over a connection of its own (dataimport.progress)
    # so that it is seen while the import's transaction is still open.
    task_id = models.CharField(max_length=64, blank=True, help_text="The background job, if any.")
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)

    objects = ImportLogQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "import log"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["previewed", "queued", "running", "imported", "failed"]
                ),
                name="import_log_status_known",
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()}, {self.started_at:%Y-%m-%d})"

    @property
    def counts(self) -> Counts:
        return Counts(self.new, self.updated, self.unchanged, self.invalid)

    def set_counts(self, counts: Counts):
        self.new, self.updated = counts.new, counts.updated
        self.unchanged, self.invalid = counts.unchanged, counts.invalid

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def mode_label(self) -> str:
        return Mode(self.mode).label
