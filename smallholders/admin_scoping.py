"""The admin's permission model: roles and scopes from `selectors`, not Django's per-model perms.

Every admin page of every app subclasses `ScopedAdmin`, so that the admin, the views and the API
enforce the same rules (`smallholders.selectors`). The rules hold for every view a ModelAdmin
serves, not only the change form: list, change, add, delete, the audit trail ("History"), a past
version and its revert, autocomplete, actions and list filters. An object outside the person's
scope is "not found" (404) on all of them; a role that may not write gets 403, never a write.
"""

import dataclasses

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.query import EmptyQuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from pichanaki.admin_busy import BusyAdmin
from pichanaki.admin_counts import CappedCountPaginator
from pichanaki.admin_numbers import NumbersAdmin
from pichanaki.admin_parameters import ParametersAdmin, require_version_key
from pichanaki.admin_queries import RelatedInOneQueryAdmin
from smallholders.choices import Role
from smallholders.selectors import scope_for

ADMIN_ROLES = (Role.STAFF, Role.MANAGER, Role.VERIFIER)
#: action permissions a role that may not write still holds
READ_OR_APPROVE = {"view", "approve"}


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter on a related object lists only the objects the person may see.

    The choices come from the related model's own admin queryset (scoped), so that the
    cooperative filter of a technician lists their cooperative, not every cooperative.
    """

    def field_choices(self, field, request: HttpRequest, model_admin: admin.ModelAdmin):
        related_admin = model_admin.admin_site._registry.get(field.remote_field.model)
        if not isinstance(related_admin, ScopedAdmin):
            return super().field_choices(field, request, model_admin)
        visible = related_admin.get_queryset(request).values("pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": visible}
        )


# Every relation filter of every admin is scoped (take_priority: before Django's own).
admin.FieldListFilter.register(
    lambda f: f.remote_field is not None, ScopedRelatedFieldListFilter, take_priority=True
)


class ScopedAdmin(
    ParametersAdmin, BusyAdmin, RelatedInOneQueryAdmin, NumbersAdmin, SimpleHistoryAdmin
):
    """Admin with role-based access, scoped querysets, the audit trail ("History"), figures
    shown localised with their unit's precision (`NumbersAdmin`), a busy lock shown as a
    form error (`BusyAdmin`) and malformed parameters answered as Django means to
    (`ParametersAdmin`)."""

    #: roles that may read (superusers always may)
    read_roles: tuple[str, ...] = ADMIN_ROLES
    #: roles that may add, change and delete (superusers always may)
    write_roles: tuple[str, ...] = (Role.MANAGER, Role.STAFF)
    #: roles that see the section on the admin index; None: those who read it. A section may be
    #: readable but hidden (the species catalogue feeds a technician's autocomplete).
    menu_roles: tuple[str, ...] | None = None
    #: lists count at most a page's worth of rows exactly (`pichanaki.admin_counts`), and never
    #: count the whole table a second time for "N in total"
    paginator = CappedCountPaginator
    show_full_result_count = False

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Limit `queryset` to what `request.user` may see; subclasses call a selector."""
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        if not self._reads(request):
            return super().get_queryset(request).none()
        return self.scope_queryset(request, super().get_queryset(request))

    def _has_role(self, request: HttpRequest, roles: tuple[str, ...]) -> bool:
        scope = scope_for(request.user)
        return request.user.is_staff and (scope.is_superuser or scope.role in roles)

    def _reads(self, request: HttpRequest) -> bool:
        return self._has_role(request, self.read_roles)

    def _writes(self, request: HttpRequest) -> bool:
        return self._reads(request) and self._has_role(request, self.write_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        roles = self.read_roles if self.menu_roles is None else self.menu_roles
        return self._reads(request) and self._has_role(request, roles)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._reads(request)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self._writes(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._writes(request)

    def has_approve_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Approving is a review, not an edit: verifiers and managers who read the section may
        (the service behind the action checks the object's project and four eyes)."""
        return self._reads(request) and scope_for(request.user).approves

    def get_actions(self, request: HttpRequest) -> dict:
        """Actions without declared permissions are treated as writes: a read-only role keeps
        only those that declare reads or approvals, `@admin.action(permissions=["view"])` (e.g.
        the CSV export) or `permissions=["approve"]` (checked by `has_approve_permission`)."""
        actions = super().get_actions(request)  # Django drops those whose permission fails
        if self._writes(request):
            return actions
        return {
            name: action
            for name, action in actions.items()
            if _declared(action[0]) and _declared(action[0]) <= READ_OR_APPROVE
        }

    # Out of scope is "not found" everywhere (Django would redirect to the index instead).

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def _object_in_scope(self, request: HttpRequest, object_id: str) -> Model:
        if not self._reads(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        if object_id is not None:  # out of scope: 404 before any role check says more
            self._object_in_scope(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._object_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    # The audit trail: the scoped object first, then the history of that object only.

    def _keeps_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def _history(self):
        return getattr(self.model, self.model._meta.simple_history_manager_attribute)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._object_in_scope(request, object_id)
        if self._keeps_history():
            return super().history_view(request, object_id, extra_context)
        # No audit trail of its own (ledger rows never change): the admin's log of actions.
        response = admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        response.template_name = ["admin/object_history.html"]
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        current = self._object_in_scope(request, object_id)
        if not self._keeps_history():
            raise Http404
        require_version_key(self._history().model, version_id)
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.has_change_permission(request, current):
            raise PermissionDenied
        return self._revert(request, current, version_id)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kw):
        """An existing object's form is a change form, as on Django's change view: someone who
        may not change it gets no inputs. simple_history's past-version page asks without
        `change`, and its fieldsets name read-only displays (`<field>_map`, `fig__<field>`)."""
        editing = change or (obj is not None and "fields" not in kw)  # not get_fields' probe
        return super().get_form(request, obj, change=editing, **kw)

    def render_history_view(self, request: HttpRequest, template, context: dict, **kwargs):
        """A past version shows, like the change view, every field as read-only to a person who
        may not change the object (the maps and figures included)."""
        form, obj = context.get("adminform"), context.get("original")
        if form is not None and not self.has_change_permission(request, obj):
            fieldsets = self.get_fieldsets(request, obj)
            context["adminform"] = helpers.AdminForm(
                form.form, fieldsets, {}, flatten_fieldsets(fieldsets), model_admin=self
            )
        return super().render_history_view(request, template, context, **kwargs)

    def _revert(self, request: HttpRequest, current: Model, version_id: str) -> HttpResponse:
        """Save a past version's values through the change form of the current object.

        Only the fields the person may edit are taken from the post (read-only fields such as a
        parcel's status or a smallholder's cooperative keep their current values), the form's
        choices are scoped, and `save_model` goes through the services' checks.
        """
        pk_name = self.model._meta.pk.attname
        get_object_or_404(self._history().model, history_id=version_id, **{pk_name: current.pk})
        form = self.get_form(request, current, change=True)(
            request.POST, request.FILES, instance=current
        )
        if not form.is_valid():
            errors = "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(problems)}"
                for name, problems in form.errors.items()
            )
            self.message_user(request, errors, messages.ERROR)
            return redirect(request.path)
        # One transaction: the save and the scope check after it; out of scope rolls it back.
        with transaction.atomic():
            saved = self.save_form(request, form, change=True)
            self.save_model(request, saved, form, change=True)
            form.save_m2m()
            if not self.get_queryset(request).filter(pk=current.pk).exists():
                raise PermissionDenied
        self.log_change(request, saved, self.construct_change_message(request, form, []))
        return self.response_change(request, saved)

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record):
        """The changes column shows only the fields this person sees on the change form
        (a verifier never reads a smallholder's old phone number in the history)."""
        fieldsets = self.get_fieldsets(request, historical_record.instance)
        return VisibleChangesHelper(
            self.model, historical_record, visible=set(flatten_fieldsets(fieldsets))
        )


def within(queryset: QuerySet, selected: QuerySet) -> QuerySet:
    """`queryset` limited to the rows of `selected`, a selector's queryset of the same model.

    The selector's own conditions are added to `queryset` (its joins on indexed foreign keys),
    not `pk IN (selector)`: PostgreSQL plans that subquery as a scan of every row the selector
    returns, whereas the conditions themselves let a list read one page of rows in index order
    and stop. A selector that returns everything (superusers, verifiers) adds nothing.
    """
    if isinstance(selected, EmptyQuerySet):
        return queryset.none()
    return queryset & selected.order_by()


def _declared(action) -> set[str]:
    return set(getattr(action, "allowed_permissions", ()))


class VisibleChangesHelper(HistoricalRecordContextHelper):
    """History diffs limited to `visible` field names."""

    def __init__(self, model: type[Model], record, *, visible: set[str]) -> None:
        super().__init__(model, record)
        self.visible = visible

    def context_for_delta_changes(self, delta) -> list[dict]:
        kept = [change for change in delta.changes if change.field in self.visible]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=kept))
