"""Admin pages of rows that change only through the services (ledgers, jobs): no add, change
or delete. Shared by the credit registry's and the benefits' admins."""

from django.http import HttpRequest


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
