"""Read models of the import page."""

from datetime import timedelta

from django.utils import timezone

from .models import ImportLog
from .progress import is_live
from .targets import TARGETS


def targets_for(user) -> list:
    """The targets this user may import."""
    return [target for target in TARGETS.values() if user.has_perm(target.permission)]


def import_history(*, user):
    """Past imports of the targets this user may import, newest first, without their files."""
    names = [target.name for target in targets_for(user)]
    return ImportLog.objects.without_content().select_related("user").filter(target__in=names)


# A running import writes its progress at least this often; quieter than this, it has stopped.
STALLED_AFTER = timedelta(minutes=5)


def progress_figures(log: ImportLog, *, now=None) -> dict:
    """What the progress bar shows of a queued or running import: the phase, rows done of the
    total, the percentage, the rate and the time left (None where not known yet), and whether
    it looks stalled (nothing recorded for STALLED_AFTER)."""
    now = now or timezone.now()
    done, total = log.rows_done, log.rows_total
    elapsed = (now - log.phase_started_at).total_seconds() if log.phase_started_at else 0
    rate = done / elapsed if done and elapsed > 0 else None
    last_sign = log.progress_at or log.started_at
    return {
        "phase": log.get_phase_display() if log.phase else "",
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "rate": round(rate) if rate else None,
        "seconds_left": round((total - done) / rate) if rate and total >= done else None,
        "stalled": log.status == ImportLog.Status.RUNNING and now - last_sign > STALLED_AFTER,
        "waiting": log.status == ImportLog.Status.QUEUED,
        "live": is_live(),
    }
