"""Background jobs of the import page, run by the task worker (`manage.py db_worker`)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from . import services


@task()
def import_file(log_id: int, user_id: int | None):
    """Import a previewed file that was too large to import while the user waited."""
    user = get_user_model().objects.filter(pk=user_id).first()
    log = services.run_import(log_id=log_id, user=user)
    return {"status": log.status, "message": log.message}
