"""Loading the demo project and creating its demo logins."""

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from pichanaki.demo import catalogue, layout, steps
from pichanaki.demo.exceptions import DemoNotLoaded, DemoRefusedInProduction
from smallholders.choices import Role
from smallholders.models import Cooperative, Profile, Project

DEFAULT_SEED = 20100101
DEFAULT_PASSWORD = "pichanaki-demo"  # noqa: S105 (documented demo password, refused in production)
PASSWORD_ENV = "DEMO_PASSWORD"  # noqa: S105 (the variable's name, not a password)


@dataclass(frozen=True)
class LoadOutcome:
    """What `load_demo` did: `loaded` is False when it skipped, with `reason` saying why."""

    loaded: bool
    reason: str  # "loaded", "demo_exists" or "database_not_empty"
    project: Project | None
    seconds: float


def refuse_in_production(*, force: bool) -> None:
    """Raise DemoRefusedInProduction in production mode unless `force`."""
    if settings.PRODUCTION and not force:
        raise DemoRefusedInProduction


def load_demo(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, if_empty: bool = False
) -> LoadOutcome:
    """Write the demo project (all of `steps.STEPS`) unless it, or with `if_empty` any, exists.

    Preconditions: migrations applied (the species catalogue may be empty). Side effects: one
    project and its cooperatives, smallholders, parcels, plantings and plots, with history
    rows. Idempotent: a second call finds the project and writes nothing. Same seed and scale,
    same rows.
    """
    started = time.perf_counter()
    if if_empty and Project.objects.exists():
        return LoadOutcome(False, "database_not_empty", None, time.perf_counter() - started)
    existing = Project.objects.filter(code=catalogue.PROJECT_CODE).first()
    if existing is not None:
        return LoadOutcome(False, "demo_exists", existing, time.perf_counter() - started)
    project = _run_steps(scale=scale, seed=seed)
    return LoadOutcome(True, "loaded", project, time.perf_counter() - started)


# All or nothing: an interrupted load leaves no half project behind, and a concurrent second
# load fails on the unique project code instead of writing a second set of rows.
@transaction.atomic
def _run_steps(*, scale: float, seed: int) -> Project:
    if scale <= 0:
        raise ValueError("scale must be positive")
    context = steps.DemoContext(
        seed=seed, scale=scale, district=layout.load_district(catalogue.DISTRICT_UBIGEO)
    )
    for number, (_name, step) in enumerate(steps.STEPS, 1):
        step(context, context.rng(number))
    return context.project


@dataclass(frozen=True)
class DemoLogin:
    """A demo login: who it is, what it may reach, and whether this run created it."""

    username: str
    role: str
    scope: str
    created: bool


def demo_password() -> str:
    """The demo password: $DEMO_PASSWORD, or the documented default."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


@transaction.atomic
def ensure_demo_users(*, password: str, reset_passwords: bool = False) -> list[DemoLogin]:
    """Create, if missing, the demo manager, one staff login per cooperative and a verifier.

    Preconditions: the demo project exists (DemoNotLoaded otherwise). Side effects: users with
    `password` (existing users keep theirs unless `reset_passwords`), is_staff, and a Profile
    with the role and scope; their history rows. Idempotent.
    """
    project = Project.objects.filter(code=catalogue.PROJECT_CODE).first()
    if project is None:
        raise DemoNotLoaded
    logins = [_ensure("gestor", Role.MANAGER, password, reset_passwords, project=project)]
    for cooperative in project.cooperatives.order_by("code"):
        username = f"tecnico-{cooperative.code}"
        logins.append(
            _ensure(username, Role.STAFF, password, reset_passwords, cooperative=cooperative)
        )
    logins.append(_ensure("verificador", Role.VERIFIER, password, reset_passwords, project=project))
    return logins


def _ensure(
    username: str,
    role: str,
    password: str,
    reset: bool,
    *,
    project: Project | None = None,
    cooperative: Cooperative | None = None,
) -> DemoLogin:
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created or reset:
        user.set_password(password)
    if created or reset or not (user.is_staff and user.is_active):
        user.is_staff = user.is_active = True
        user.save()
    _ensure_profile(user, role, project=project, cooperative=cooperative)
    return DemoLogin(
        username=username, role=role, scope=str(cooperative or project), created=created
    )


def _ensure_profile(
    user: User, role: str, *, project: Project | None, cooperative: Cooperative | None
) -> None:
    profile = Profile.objects.filter(user=user).first()
    cooperative_id = cooperative.pk if cooperative else None
    if profile is None or (profile.role, profile.cooperative_id) != (role, cooperative_id):
        # Only on a difference, so that a second run writes no history rows.
        profile = profile or Profile(user=user)
        profile.role, profile.cooperative = role, cooperative
        profile.save()
    if project is not None and not profile.projects.filter(pk=project.pk).exists():
        profile.projects.add(project)
