"""API permissions from roles (smallholders.selectors); object scope comes from querysets."""

from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from smallholders.choices import Role
from smallholders.selectors import scope_for

READ_ROLES = (Role.STAFF, Role.MANAGER, Role.VERIFIER)


class ProjectPeoplePermission(permissions.BasePermission):
    """People who work in projects (staff, managers, verifiers) and superusers, any method.

    For the species catalogue (read-only views) and calculation runs and parameter sets (whose
    services decide who writes). Buyers, their keys and people without a role get 403.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_for(request.user)
        return scope.is_superuser or scope.role in READ_ROLES


class FieldDataPermission(permissions.BasePermission):
    """Field data: staff, managers, verifiers and superusers read; staff, managers write.

    Buyers and people without a role get 403; objects outside a person's scope are 404
    because every view's queryset comes from a `*_for(user=...)` selector.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_for(request.user)
        if request.method in permissions.SAFE_METHODS:
            return scope.is_superuser or scope.role in READ_ROLES
        return scope.edits_field_data


class ManagerWritePermission(FieldDataPermission):
    """Reads as FieldDataPermission; writes by managers (and superusers) only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return super().has_permission(request, view)
        return scope_for(request.user).manages


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to what the requesting person may see (others: "does not exist")."""

    def __init__(self, *, selector, **kwargs) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)
