"""Who may enter the panel and which project and cooperative a page shows.

Rules, one per line:
- anonymous people are sent to the sign-in page (the view does that);
- buyers and people without a role never enter: 404, like any object outside a scope;
- cooperative staff see their cooperative's figures of their projects, nothing else;
- managers see their projects; verifiers and superusers see every project.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from smallholders.choices import Role
from smallholders.models import Cooperative, Project
from smallholders.selectors import AnyUser, cooperatives_for, projects_for, scope_for

PANEL_ROLES = (Role.STAFF, Role.MANAGER, Role.VERIFIER)


@dataclass(frozen=True)
class PanelView:
    """What one panel page is about: a project, seen whole or through one cooperative."""

    project: Project
    cooperative: Cooperative | None
    # Figures read once per page and shared by its parts (the rollups, see selectors/rollups.py).
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cooperative_id(self) -> int | None:
        return self.cooperative.pk if self.cooperative else None


def sees_whole_project(*, user: AnyUser, view: PanelView) -> bool:
    """The page shows every parcel and family of its project to this person: no cooperative
    chosen, and the person reads everything or manages the project (a manager sees every
    cooperative taking part in it, and every family belongs to one of those)."""
    if view.cooperative_id is not None:
        return False
    scope = scope_for(user)
    return scope.reads_everything or (
        scope.role == Role.MANAGER and view.project.pk in scope.project_ids
    )


def enters_panel(*, user: AnyUser) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.role in PANEL_ROLES


def panel_projects(*, user: AnyUser) -> QuerySet[Project]:
    if not enters_panel(user=user):
        raise Http404
    return projects_for(user=user).order_by("name")


def access_panel_view(
    *, user: AnyUser, project_code: str, cooperative_code: str | None = None
) -> PanelView:
    """The project (and cooperative) of a panel page, or 404 outside the person's scope.

    Cooperative staff always see their own cooperative's slice, whatever the URL asks.
    """
    project = panel_projects(user=user).filter(code=project_code).first()
    if project is None:
        raise Http404
    scope = scope_for(user)
    cooperatives = cooperatives_for(user=user).filter(projects=project)
    if scope.role == Role.STAFF and not scope.is_superuser:
        return PanelView(project=project, cooperative=cooperatives.first())
    if cooperative_code:
        cooperative = cooperatives.filter(code=cooperative_code).first()
        if cooperative is None:
            raise Http404
        return PanelView(project=project, cooperative=cooperative)
    return PanelView(project=project, cooperative=None)
