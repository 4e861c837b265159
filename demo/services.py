"""Loading the demo project and creating its demo logins."""

import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from credits.api.keys import create_api_key, revoke_api_key
from credits.models import ApiKey
from demo import catalogue, layout, ledger, logins, steps, story
from demo.clock import story_clock
from demo.exceptions import DemoNotLoaded, DemoRefusedInProduction
from demo.logins import DemoLogin
from parcels.signals import announce_field_data_written
from smallholders.choices import Role
from smallholders.models import Cooperative, Project

DEFAULT_SEED = 20100101
DEFAULT_PASSWORD = "pichanaki-demo"  # noqa: S105 (documented demo password, refused in production)
PASSWORD_ENV = "DEMO_PASSWORD"  # noqa: S105 (the variable's name, not a password)
DEMO_KEY_NAME = "demo (ensure_demo_users)"


@dataclass(frozen=True)
class LoadOutcome:
    """What `load_demo` did: `loaded` is False when it wrote nothing, with `reason` saying why.

    `reason` is "loaded" (a new demo project), "completed" (an existing demo lacked some of the
    later steps, named in `completed_steps`), "demo_exists" or "database_not_empty".
    `timings` gives the seconds of every step that ran.
    """

    loaded: bool
    reason: str
    project: Project | None
    seconds: float
    completed_steps: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)


def refuse_in_production(*, force: bool) -> None:
    """Raise DemoRefusedInProduction in production mode unless `force`."""
    if settings.PRODUCTION and not force:
        raise DemoRefusedInProduction


def load_demo(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, if_empty: bool = False
) -> LoadOutcome:
    """Write the demo project (all of `steps.STEPS`), or complete the later steps it lacks.

    Preconditions: migrations applied (the species catalogue may be empty); not inside a
    transaction (the credit services are durable transactions of their own). Side effects: the
    project and its field data with history rows (all or nothing), then its parameter set,
    approved calculation runs, issued credits, a buyer, sales and a retirement (step by step).
    With `if_empty`, nothing is loaded into a database holding other projects only. Idempotent:
    a second call writes nothing. Same seed and scale, same rows and figures.
    """
    started = time.perf_counter()
    project = Project.objects.filter(code=catalogue.PROJECT_CODE).first()
    if project is None and if_empty and Project.objects.exists():
        return LoadOutcome(False, "database_not_empty", None, time.perf_counter() - started)
    timings: dict[str, float] = {}
    if project is None:
        context = _load_field_data(scale=scale, seed=seed, timings=timings)
    else:
        assert project.area is not None  # the demo project is made with its district
        context = steps.DemoContext(seed=seed, scale=scale, district=project.area, project=project)
    completed = _complete(context, timings)
    reason = "loaded" if project is None else "completed" if completed else "demo_exists"
    if reason != "demo_exists":
        _refresh_planner_statistics()
    return LoadOutcome(
        reason != "demo_exists",
        reason,
        context.project,
        time.perf_counter() - started,
        completed_steps=completed if project is not None else (),
        timings=timings,
    )


# All or nothing: an interrupted load leaves no half project behind, and a concurrent second
# load fails on the unique project code instead of writing a second set of rows.
@transaction.atomic
def _load_field_data(*, scale: float, seed: int, timings: dict[str, float]) -> steps.DemoContext:
    if scale <= 0:
        raise ValueError("scale must be positive")
    context = steps.DemoContext(
        seed=seed, scale=scale, district=layout.load_district(catalogue.DISTRICT_UBIGEO)
    )
    for number, (name, step) in enumerate(steps.FIELD_STEPS, 1):
        started = time.perf_counter()
        with story_clock(story.FIELD_DATA_ENTERED_ON[name]):
            step(context, context.rng(number))
        timings[name] = time.perf_counter() - started
    # Written in bulk (no model signals): tell the listeners once the load commits.
    assert context.project is not None  # the first step (step_project) made it
    announce_field_data_written(project_id=context.project.pk)
    return context


def _refresh_planner_statistics() -> None:
    """ANALYZE after the bulk load (PostgreSQL): until the tables are analysed (by autovacuum,
    later, or never where it is off) the planner takes them for nearly empty and joins
    thousands of rows by nested loops, so the first pages would take seconds."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _complete(context: steps.DemoContext, timings: dict[str, float]) -> tuple[str, ...]:
    """Run the later steps (each adds only what is missing); the names of those that wrote."""
    wrote = []
    first = len(steps.FIELD_STEPS) + 1  # a step's random stream is seeded by its position
    for number, (name, step) in enumerate(steps.LATER_STEPS, first):
        started = time.perf_counter()
        if step(context, context.rng(number)):
            wrote.append(name)
        timings[name] = time.perf_counter() - started
    return tuple(wrote)


def demo_password() -> str:
    """The demo password: $DEMO_PASSWORD, or the documented default."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


@transaction.atomic
def ensure_demo_users(*, password: str, reset_passwords: bool = False) -> list[DemoLogin]:
    """Create, if missing, the demo manager, one staff login per cooperative and a verifier.

    Preconditions: the demo project exists (DemoNotLoaded otherwise). Side effects: users with
    `password` (existing users keep theirs unless `reset_passwords`; the manager and verifier
    the seed made without a password get it), is_staff, and a Profile with the role and scope;
    their history rows. Idempotent.
    """
    project = Project.objects.filter(code=catalogue.PROJECT_CODE).first()
    if project is None:
        raise DemoNotLoaded
    people: list[tuple[str, Role, Project | None, Cooperative | None]] = [
        (logins.MANAGER, Role.MANAGER, project, None)
    ]
    for cooperative in project.cooperatives.order_by("code"):
        people.append((f"tecnico-{cooperative.code}", Role.STAFF, None, cooperative))
    people.append((logins.VERIFIER, Role.VERIFIER, project, None))
    return [
        logins.ensure_login(
            username=username,
            role=role,
            password=password,
            reset=reset_passwords,
            project=scope_project,
            cooperative=cooperative,
        )[1]
        for username, role, scope_project, cooperative in people
    ]


@dataclass(frozen=True)
class DemoKey:
    """The demo buyer's API key: `raw` only when this call created it (it is never stored)."""

    organisation: str
    prefix: str
    raw: str | None


def ensure_demo_buyer_key(*, renew: bool = False) -> DemoKey:
    """A usable API key for the demo buyer (created with the buyer if missing).

    Keys are stored hashed, so an existing key cannot be shown again: with `renew`, the demo
    keys are revoked and a new one is made. Side effects: at most one new ApiKey row.
    """
    organisation = ledger.ensure_demo_buyer()
    keys = ApiKey.objects.filter(organisation=organisation, name=DEMO_KEY_NAME).order_by("pk")
    usable = [key for key in keys if key.is_usable()]
    if usable and not renew:
        return DemoKey(organisation=organisation.name, prefix=usable[0].prefix, raw=None)
    for key in usable:
        revoke_api_key(api_key=key)
    key, raw = create_api_key(name=DEMO_KEY_NAME, organisation=organisation)
    return DemoKey(organisation=organisation.name, prefix=key.prefix, raw=raw)
