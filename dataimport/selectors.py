"""Read models of the import page."""

from .models import ImportLog
from .targets import TARGETS


def targets_for(user) -> list:
    """The targets this user may import."""
    return [target for target in TARGETS.values() if user.has_perm(target.permission)]


def import_history(*, user):
    """Past imports of the targets this user may import, newest first, without their files."""
    names = [target.name for target in targets_for(user)]
    return ImportLog.objects.without_content().select_related("user").filter(target__in=names)
