"""The demo's story clock: the later steps are written "on" the dates of the story.

The runs, issuances, sales and the retirement go through the real services, which stamp their
rows and ledger events with `django.utils.timezone.now()` (auto_now_add fields, history rows,
event times). Loaded as they are, they would all carry the day `seed_demo` ran, so a credit
would be sold years before the retirement dated in the story. Inside `story_clock(day)`,
`timezone.now()` answers that day at 09:00 (project time) plus one millisecond per call, so
every timestamp is deterministic and in the story's order: planting 2010–2012 < monitoring <
run approval < issuance < sale < retirement (dates in `story`).

Only `seed_demo` uses it, in its own process, around one step at a time (never in a request).
"""

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.utils import timezone

STORY_HOUR = dt.time(9, 0)


def story_moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, STORY_HOUR))


@contextmanager
def story_clock(day: dt.date) -> Iterator[None]:
    """`timezone.now()` is `day` at 09:00, advancing 1 ms per call, until the block ends."""
    start = story_moment(day)
    ticks = itertools.count()
    real_now = timezone.now

    def story_now() -> dt.datetime:
        return start + dt.timedelta(milliseconds=next(ticks))

    # Patched on the module, where Django and the services look `now` up at each call, and on
    # the fields whose default is the function itself (User.date_joined, say).
    defaults = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is real_now
    ]
    timezone.now = story_now
    for field in defaults:
        _set_default(field, story_now)
    try:
        yield
    finally:
        timezone.now = real_now
        for field in defaults:
            _set_default(field, real_now)


def _set_default(field, default) -> None:
    """Set a field's default, dropping Django's cached copy of it (`Field._get_default`)."""
    field.default = default
    field.__dict__.pop("_get_default", None)
