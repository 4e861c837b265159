"""The admin's permission model: roles and scopes from `selectors`, not Django's per-model perms.

Every admin page of every app subclasses `ScopedAdmin`, so that the admin, the views and the API
enforce the same rules (`smallholders.selectors`).
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from pichanaki.admin_numbers import NumbersAdmin
from pichanaki.admin_queries import RelatedInOneQueryAdmin
from smallholders.choices import Role
from smallholders.selectors import scope_for

ADMIN_ROLES = (Role.STAFF, Role.MANAGER, Role.VERIFIER)


class ScopedAdmin(RelatedInOneQueryAdmin, NumbersAdmin, SimpleHistoryAdmin):
    """Admin with role-based access, scoped querysets, the audit trail ("History") and
    figures shown localised with their unit's precision (`NumbersAdmin`)."""

    #: roles that may add, change and delete (superusers always may)
    write_roles: tuple[str, ...] = (Role.MANAGER, Role.STAFF)

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Limit `queryset` to what `request.user` may see; subclasses call a selector."""
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def _reads(self, request: HttpRequest) -> bool:
        scope = scope_for(request.user)
        return request.user.is_staff and (scope.is_superuser or scope.role in ADMIN_ROLES)

    def _writes(self, request: HttpRequest) -> bool:
        scope = scope_for(request.user)
        return request.user.is_staff and (scope.is_superuser or scope.role in self.write_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._reads(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._reads(request)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self._writes(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._writes(request)
