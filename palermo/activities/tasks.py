"""Importing a file of activities as a background task (django-tasks; ``manage.py db_worker``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django_tasks import task

from palermo.activities.models import ActivityImport
from palermo.activities.services import run_import


@task()
def import_task(job_id: str) -> None:
    job = ActivityImport.objects.filter(pk=job_id, state=ActivityImport.State.QUEUED).first()
    if job is None:
        return
    try:
        run_import(job)
    except Exception:
        # Whatever went wrong, the import says so instead of running forever; the details go to
        # the worker's log, not to the page.
        ActivityImport.objects.filter(pk=job_id).update(
            state=ActivityImport.State.FAILED,
            error=gettext("The import failed; the error is in the server's log."),
        )
        raise
