"""The demo's people: logins with a role and a scope, made by the seed and `ensure_demo_users`.

The seed needs a manager to start the calculation runs and a verifier to approve them, so it
creates those two users without a usable password; `ensure_demo_users` later gives them (and
the cooperative staff) the demo password.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User

from smallholders.models import Cooperative, Profile, Project

MANAGER = "gestor"
VERIFIER = "verificador"


@dataclass(frozen=True)
class DemoLogin:
    """A demo login: who it is, what it may reach, and whether this run set its password."""

    username: str
    role: str
    scope: str
    created: bool


def ensure_login(
    *,
    username: str,
    role: str,
    password: str | None,
    reset: bool = False,
    project: Project | None = None,
    cooperative: Cooperative | None = None,
) -> tuple[User, DemoLogin]:
    """The staff user `username` with a Profile of `role` and scope, created if missing.

    `password=None` (the seed) creates a user that cannot sign in yet and never touches an
    existing password. With a password, it is set on a new user, on a user without a usable
    password (made by the seed), or on any user when `reset`. Idempotent: writes only what differs.
    """
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    fresh = password is not None and (created or reset or not user.has_usable_password())
    if fresh:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if fresh or created or not (user.is_staff and user.is_active):
        user.is_staff = user.is_active = True
        user.save()
    _ensure_profile(user, role, project=project, cooperative=cooperative)
    login = DemoLogin(
        username=username, role=role, scope=str(cooperative or project), created=fresh
    )
    return user, login


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
