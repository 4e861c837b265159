"""The back-office's outbox (pichanaki/dispatch.py): rollup refreshes the broker did not take.

A commit of field data, money or carbon asks for a refresh of its project's rollups after the
commit (receivers.py). When the broker does not answer, the request is kept on the project's
rollup stamp (`services.want_refresh`) and sent from here once it answers again.
"""

from django.db.models import Q

from backoffice.models import ProjectRollup
from pichanaki.dispatch import Outbox

ROLLUP_REFRESHES = Outbox(
    name="backoffice.rollup_refreshes",
    model=ProjectRollup,
    waiting=Q(refresh_wanted__isnull=False),
    task="backoffice.tasks.refresh_wanted_rollups_task",
)
