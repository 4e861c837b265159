"""Shared bases of the credit registry's admin: scoped to projects, written by services only."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path

from credits import admin_operations as ops
from credits.serials import project_range
from pichanaki.admin_readonly import ReadOnlyMixin
from smallholders.admin_scoping import ScopedAdmin
from smallholders.choices import Role
from smallholders.selectors import projects_for

RUN_BULK = ("run__details", "run__warnings", "project__area")  # large and not shown here


class CreditsAdmin(ScopedAdmin):
    """Base: managers write (through services); rows are scoped to the person's projects."""

    # The registry is the managers' (verifiers read it); technicians have no use for it.
    read_roles = (Role.MANAGER, Role.VERIFIER)
    write_roles = (Role.MANAGER,)
    project_path = "project"

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{self.project_path}__in": projects_for(user=request.user)})

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        links = (
            ops.operation_links(self.model._meta.model_name)
            if ops.may_operate(request.user)
            else []
        )
        return super().changelist_view(request, {**(extra_context or {}), "operations": links})

    def get_urls(self):
        own = [
            path(
                f"{op.name}/" if not op.on_reservation else f"<int:reservation_id>/{op.name}/",
                self.admin_site.admin_view(self._operation(op.name)),
                name=ops.url_name(op),
            )
            for op in ops.OPERATIONS.values()
            if op.model_name == self.model._meta.model_name
        ]
        return own + super().get_urls()

    def _operation(self, name: str):
        def view(request: HttpRequest, reservation_id: int | None = None):
            return ops.operation_view(self, request, name, reservation_id)

        return view


class LedgerAdmin(ReadOnlyMixin, CreditsAdmin):
    """Ledger rows change only through the services: no add, change or delete pages."""


def printed_ranges(project, unit_type: str, vintage: int, ranges: list) -> str:
    if getattr(project, "registry", None) is None:
        return ", ".join(f"{start}–{end}" for start, end in ranges)
    return ", ".join(
        project_range(project, unit_type=unit_type, vintage=vintage, start=start, end=end)
        for start, end in ranges
    )
