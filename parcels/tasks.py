"""Celery tasks of the parcels app (autodiscovered from this module).

Field-data imports live in parcels/importing/tasks.py and are re-exported here.
"""

from parcels.importing.tasks import commit_import_task, preview_import_task

__all__ = ["commit_import_task", "preview_import_task"]
