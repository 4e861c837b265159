"""The parcels app's outboxes (pichanaki/dispatch.py): rows that wait for a Celery worker.

Small import files are checked and written in the request (`run_async` False): no outbox.
"""

from django.db.models import Q

from parcels.models import ImportJob, ImportStatus
from pichanaki.dispatch import Outbox

IMPORT_PREVIEWS = Outbox(
    name="parcels.import_previews",
    model=ImportJob,
    waiting=Q(status=ImportStatus.PENDING, run_async=True),
    task="parcels.importing.tasks.preview_import_task",
)
IMPORT_COMMITS = Outbox(
    name="parcels.import_commits",
    model=ImportJob,
    waiting=Q(status=ImportStatus.COMMITTING, run_async=True),
    task="parcels.importing.tasks.commit_import_task",
)
