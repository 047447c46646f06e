"""Computing a release as a background task (django-tasks; ``manage.py db_worker``)."""

from __future__ import annotations

from django.utils.translation import gettext
from django_tasks import task

from palermo.accounts.models import User
from palermo.stats.models import Release
from palermo.stats.services import compute


@task()
def compute_task(release_id: str, user_id: int) -> None:
    release = Release.objects.filter(pk=release_id, state=Release.State.COMPUTING).first()
    user = User.objects.filter(pk=user_id).first()
    if release is None or user is None:
        return
    try:
        compute(release, user)
    except Exception:
        # Whatever went wrong (the user lost the role, say), the release says so instead of
        # computing forever; the details go to the worker's log, not to the page.
        Release.objects.filter(pk=release_id, state=Release.State.COMPUTING).update(
            state=Release.State.FAILED,
            error=gettext("The computation failed; the error is in the server's log."),
        )
        raise
