"""Who may see what. Every view, admin page and API endpoint scopes data through these.

Rules, one per line so that the tests can cover each:
- superusers and verifiers read everything; verifiers write nothing but approvals;
- project managers read and write everything in their projects;
- cooperative staff read and write their own cooperative's data (and read its projects);
- buyers and people without a profile see no field data.
Objects outside a person's scope are "not found" (404), never "forbidden", so that ids of other
cooperatives' records leak nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, QuerySet
from django.http import Http404

from smallholders.choices import Role
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder

AnyUser = User | AnonymousUser
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """A person's reach, computed once per request."""

    role: str | None
    is_superuser: bool
    cooperative_id: int | None
    project_ids: frozenset[int]

    @property
    def reads_everything(self) -> bool:
        return self.is_superuser or self.role == Role.VERIFIER

    @property
    def edits_field_data(self) -> bool:
        return self.is_superuser or self.role in (Role.MANAGER, Role.STAFF)

    @property
    def manages(self) -> bool:
        return self.is_superuser or self.role == Role.MANAGER

    @property
    def approves(self) -> bool:
        return self.is_superuser or self.role in (Role.MANAGER, Role.VERIFIER)


NO_SCOPE = Scope(role=None, is_superuser=False, cooperative_id=None, project_ids=frozenset())


def scope_for(user: AnyUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_pichanaki_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._pichanaki_scope = scope  # type: ignore[attr-defined]  # a per-request cache on the user
    return scope


def _build_scope(user: User) -> Scope:
    profile = getattr(user, "profile", None)
    if profile is None:
        return Scope(
            role=None, is_superuser=user.is_superuser, cooperative_id=None, project_ids=frozenset()
        )
    if profile.role == Role.STAFF:
        project_ids = Project.objects.filter(cooperatives=profile.cooperative_id)
    else:
        project_ids = profile.projects.all()
    return Scope(
        role=profile.role,
        is_superuser=user.is_superuser,
        cooperative_id=profile.cooperative_id,
        project_ids=frozenset(project_ids.values_list("pk", flat=True)),
    )


def projects_for(*, user: AnyUser) -> QuerySet[Project]:
    scope = scope_for(user)
    if scope.reads_everything:
        return Project.objects.all()
    if scope.role in (Role.MANAGER, Role.STAFF):
        return Project.objects.filter(pk__in=scope.project_ids)
    return Project.objects.none()


def cooperative_ids_for(*, user: AnyUser) -> QuerySet[Cooperative, Mapping[str, object]] | None:
    """The ids a person's field data is limited to, or None when they read everything."""
    scope = scope_for(user)
    if scope.reads_everything:
        return None
    return cooperatives_for(user=user).values("pk")


def cooperatives_for(*, user: AnyUser) -> QuerySet[Cooperative]:
    scope = scope_for(user)
    if scope.reads_everything:
        return Cooperative.objects.all()
    if scope.role == Role.MANAGER:
        # A subquery, not distinct(): the queryset may be locked with SELECT ... FOR UPDATE.
        participations = ProjectCooperative.objects.filter(project_id__in=scope.project_ids)
        return Cooperative.objects.filter(pk__in=participations.values("cooperative_id"))
    if scope.role == Role.STAFF and scope.cooperative_id is not None:
        return Cooperative.objects.filter(pk=scope.cooperative_id)
    return Cooperative.objects.none()


def access_project(*, user: AnyUser, project_id: int, for_update: bool = False) -> Project:
    queryset = projects_for(user=user)
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=project_id)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_cooperative(
    *, user: AnyUser, cooperative_id: int, for_update: bool = False
) -> Cooperative:
    queryset = cooperatives_for(user=user)
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=cooperative_id)
    except (Cooperative.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_field_data(
    queryset: QuerySet[_M], *, user: AnyUser, project_path: str, cooperative_path: str
) -> QuerySet[_M]:
    """Limit field data to the person's projects and cooperatives (both, for managers and staff).

    `project_path`/`cooperative_path` are lookups from the queryset's model to the project and
    cooperative ids, e.g. "project_id" and "smallholder__cooperative_id" for parcels. The ids
    are given as literals or one flat subquery (the same rows as `projects_for` and
    `cooperatives_for`): PostgreSQL then estimates the rows a list has (`admin_counts`), where
    a subquery nested in another it guesses at a third.
    """
    scope = scope_for(user)
    if scope.reads_everything:
        return queryset
    edits = scope.role in (Role.MANAGER, Role.STAFF)
    return queryset.filter(
        **{
            f"{project_path}__in": sorted(scope.project_ids) if edits else [],
            f"{cooperative_path}__in": _cooperative_ids(scope),
        }
    )


def _cooperative_ids(
    scope: Scope,
) -> list[int] | QuerySet[ProjectCooperative, Mapping[str, object]]:
    if scope.role == Role.MANAGER:
        participations = ProjectCooperative.objects.filter(project_id__in=scope.project_ids)
        return participations.values("cooperative_id")
    if scope.role == Role.STAFF and scope.cooperative_id is not None:
        return [scope.cooperative_id]
    return []


def smallholders_for(*, user: AnyUser) -> QuerySet[Smallholder]:
    queryset = Smallholder.objects.select_related("project", "cooperative")
    return scope_field_data(
        queryset, user=user, project_path="project_id", cooperative_path="cooperative_id"
    )


def access_smallholder(
    *, user: AnyUser, smallholder_id: int, for_update: bool = False
) -> Smallholder:
    queryset = smallholders_for(user=user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=smallholder_id)
    except (Smallholder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_personal_data(*, user: AnyUser, project_id: int, cooperative_id: int) -> bool:
    """DNI, phone, payment details and agreement files: for the cooperative's staff, the
    project's managers and superusers only; verifiers and buyers never see them."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    if scope.role == Role.STAFF:
        return scope.cooperative_id == cooperative_id
    if scope.role == Role.MANAGER:
        return project_id in scope.project_ids
    return False


def mask(value: str) -> str:
    """A personal value as shown to those who may not read it: only its last two characters."""
    if not value:
        return ""
    return "•" * max(len(value) - 2, 2) + value[-2:]
