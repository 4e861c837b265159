from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.gis.db.models import MultiPolygonField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pichanaki.admin_parameters import ParametersAdmin
from pichanaki.exports import export_csv_action
from pichanaki.locking import LockTimeout
from pichanaki.maps import MapAdminMixin, MapWidget, readonly_map
from smallholders import fields as declared
from smallholders.admin_scoping import ScopedAdmin, within
from smallholders.choices import Role
from smallholders.forms import MoveSmallholderForm, SmallholderForm
from smallholders.models import (
    Cooperative,
    CooperativeMembership,
    Profile,
    Project,
    ProjectCooperative,
    Smallholder,
)
from smallholders.selectors import (
    cooperatives_for,
    mask,
    projects_for,
    scope_for,
    sees_personal_data,
    smallholders_for,
)
from smallholders.services import (
    UPDATABLE_FIELDS,
    move_smallholder,
    register_smallholder,
    update_smallholder,
)


class ProjectCooperativeInline(admin.TabularInline):
    model = ProjectCooperative
    extra = 0
    autocomplete_fields = ["cooperative"]


@admin.register(Project)
class ProjectAdmin(MapAdminMixin, ScopedAdmin):
    write_roles = (Role.MANAGER,)
    menu_roles = (Role.MANAGER, Role.VERIFIER)  # technicians work inside their project
    map_fields = {"area": "area_map"}
    formfield_overrides = {MultiPolygonField: {"widget": MapWidget}}
    list_display = ["code", "name", "standard", "country", "crediting_start", "crediting_end"]
    list_filter = ["standard", "country"]
    search_fields = ["code", "name", "methodology"]
    inlines = [ProjectCooperativeInline]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, projects_for(user=request.user))

    @admin.display(description=_("project area"))
    def area_map(self, obj: Project) -> str:
        return readonly_map(obj.area, label=_("Map of the project area"))

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return request.user.is_superuser  # new projects are an installation-level decision


@admin.register(Cooperative)
class CooperativeAdmin(ScopedAdmin):
    write_roles = (Role.MANAGER,)
    list_display = ["code", "name", "ruc", "region", "contact_name", "contact_phone"]
    list_filter = ["region", "projects"]
    search_fields = ["code", "name", "ruc", "contact_name"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, cooperatives_for(user=request.user))


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["projects"]


admin.site.unregister(User)
admin.site.unregister(Group)

PERMISSION_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Django stores permission names in English ("Can add parcel"): label them translated."""

    def label_from_instance(self, obj: Permission) -> str:
        model = obj.content_type.model_class()
        action = obj.codename.split("_", 1)[0]
        if model is None or action not in PERMISSION_LABELS:
            return str(obj)
        name = PERMISSION_LABELS[action] % {"model": model._meta.verbose_name}
        return f"{model._meta.app_config.verbose_name} | {name}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Group)
class TeamAdmin(ParametersAdmin, TranslatedPermissionsMixin, GroupAdmin):
    pass


@admin.register(User)
class PersonAdmin(ParametersAdmin, TranslatedPermissionsMixin, UserAdmin):
    """People are managed by superusers only; the profile sets role, scope and language."""

    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["profile__role", "is_active", "is_superuser"]

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("profile")


#: hidden from those who may not read personal data: the API's list, the DNI and the agreement
HIDDEN_FIELDS = ("dni", *declared.PERSONAL_FIELDS, "agreement_document")


class MembershipInline(admin.TabularInline):
    """The family's membership history, for reading: a move is made on its own page
    (`SmallholderAdmin.move_view`, through `move_smallholder`)."""

    model = CooperativeMembership
    extra = 0
    fields = ["cooperative", "joined_on", "left_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True


@admin.register(Smallholder)
class SmallholderAdmin(ScopedAdmin):
    """Smallholders: personal data only for the cooperative's staff and the project's managers."""

    form = SmallholderForm
    inlines = [MembershipInline]  # parcels/admin.py adds the parcels
    actions = [export_csv_action]
    list_display = ["last_name", "first_name", "dni_shown", "cooperative", "community", "project"]
    list_filter = ["project", "cooperative", "gender", "district", "agreement_signed_on"]
    list_select_related = ["cooperative", "project"]
    search_fields = ["last_name", "first_name", "dni", "community"]
    readonly_fields = ["agreement_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["project", "cooperative", "dni", "first_name", "last_name"]}),
        (
            _("Personal details"),
            {"fields": ["gender", "birth_year", "phone", "community", "district"]},
        ),
        (
            _("Carbon agreement"),
            {"fields": ["agreement_signed_on", "agreement_document", "agreement_link"]},
        ),
        (
            _("Payment details"),
            {"fields": ["payment_method", "bank_name", "bank_account", "cci", "wallet_phone"]},
        ),
        (None, {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, smallholders_for(user=request.user))

    def _sees_personal(self, request: HttpRequest, obj: Smallholder | None) -> bool:
        if obj is None:  # adding: only people who may write reach the add page
            return self._writes(request)
        return sees_personal_data(
            user=request.user, project_id=obj.project_id, cooperative_id=obj.cooperative_id
        )

    def get_fieldsets(self, request: HttpRequest, obj: Smallholder | None = None):
        if self._sees_personal(request, obj):
            return self.fieldsets
        hidden = {*HIDDEN_FIELDS, "agreement_link"}
        return [
            (name, {"fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in self.fieldsets
        ] + [(_("Personal data"), {"fields": ["dni_masked"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Smallholder | None = None):
        identity = list(declared.IDENTITY_FIELDS) if obj is not None else []
        return [*self.readonly_fields, "dni_masked", *identity]

    def get_list_display(self, request: HttpRequest):
        scope = scope_for(request.user)
        if scope.is_superuser or scope.edits_field_data:  # their scope is their own people
            return [("dni" if f == "dni_shown" else f) for f in self.list_display]
        return self.list_display

    def get_search_fields(self, request: HttpRequest):
        if scope_for(request.user).role == Role.VERIFIER:
            return [f for f in self.search_fields if f != "dni"]
        return self.search_fields

    def csv_hidden_fields(self, request: HttpRequest) -> tuple[str, ...]:
        scope = scope_for(request.user)
        return () if scope.is_superuser or scope.edits_field_data else HIDDEN_FIELDS

    @admin.display(description=_("DNI"))
    def dni_shown(self, obj: Smallholder) -> str:
        return mask(obj.dni)

    @admin.display(description=_("DNI"))
    def dni_masked(self, obj: Smallholder) -> str:
        return mask(obj.dni)

    @admin.display(description=_("document"))
    def agreement_link(self, obj: Smallholder) -> str:
        if not obj.pk or not obj.agreement_document:
            return "—"
        url = reverse("smallholders:agreement-file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for(user=request.user)
        if db_field.name == "cooperative":
            kwargs["queryset"] = cooperatives_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        move = path(
            "<int:smallholder_id>/move/",
            self.admin_site.admin_view(self.move_view),
            name="smallholders_smallholder_move",
        )
        return [move, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        context = {**(extra_context or {}), "can_move": self._may_move(request, object_id)}
        return super().change_view(request, object_id, form_url, context)

    def _may_move(self, request: HttpRequest, object_id: str) -> bool:
        """The move is offered to those who may edit the family and see another cooperative
        of its project to move it to (a technician sees only their own: no link)."""
        if not object_id.isdigit() or not self.has_change_permission(request):
            return False  # not a family's id: Django's change view answers it
        found = self.get_queryset(request).filter(pk=object_id)
        place = found.values_list("project_id", "cooperative_id").first()
        if place is None:
            return False
        others = cooperatives_for(user=request.user).filter(projects=place[0])
        return others.exclude(pk=place[1]).exists()

    def move_view(self, request: HttpRequest, smallholder_id: int) -> HttpResponse:
        """Move the family to another cooperative of its project (`move_smallholder`)."""
        smallholder = self._object_in_scope(request, str(smallholder_id))  # else 404
        if not self.has_change_permission(request, smallholder):
            raise PermissionDenied
        choices = cooperatives_for(user=request.user).filter(projects=smallholder.project_id)
        form = MoveSmallholderForm(
            request.POST if request.method == "POST" else None,
            cooperatives=choices.order_by("name"),
            initial={"moved_on": timezone.localdate()},
        )
        if form.is_valid():
            try:
                move_smallholder(smallholder=smallholder, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            except LockTimeout as exc:
                form.add_error(None, exc.message)
            else:
                return self._moved(request, smallholder, form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Move to another cooperative"),
            "original": smallholder,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/smallholders/smallholder/move.html", context)

    def _moved(self, request: HttpRequest, smallholder: Smallholder, moved: dict) -> HttpResponse:
        message = _("The family %(name)s was moved to %(cooperative)s from %(date)s.") % {
            "name": smallholder,
            "cooperative": moved["cooperative"],
            "date": formats.date_format(moved["moved_on"], "SHORT_DATE_FORMAT"),
        }
        self.message_user(request, message, messages.SUCCESS)
        # In the admin's action log like any change made here, worded by Django per reader.
        self.log_change(request, smallholder, [{"changed": {"fields": [_moved_field()]}}])
        return redirect(reverse("admin:smallholders_smallholder_change", args=[smallholder.pk]))

    def save_model(self, request: HttpRequest, obj: Smallholder, form, change: bool) -> None:
        if change:
            update_smallholder(smallholder=obj, fields={})
            return
        named = {"first_name", "last_name"}
        data = {f: form.cleaned_data[f] for f in UPDATABLE_FIELDS - named if f in form.cleaned_data}
        created = register_smallholder(
            project=obj.project,
            cooperative=obj.cooperative,
            dni=obj.dni,
            first_name=obj.first_name,
            last_name=obj.last_name,
            fields=data,
        )
        obj.pk = created.pk
        obj._state.adding = False


def _moved_field() -> str:
    """The moved field's label as Django's change messages store it: the untranslated source,
    which the action log translates for whoever reads it."""
    with translation.override(None):
        return str(Smallholder._meta.get_field("cooperative").verbose_name)
