from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from smallholders.admin_scoping import ScopedAdmin
from smallholders.choices import Role
from smallholders.models import Cooperative, Profile, Project, ProjectCooperative
from smallholders.selectors import cooperatives_for, projects_for


class ProjectCooperativeInline(admin.TabularInline):
    model = ProjectCooperative
    extra = 0
    autocomplete_fields = ["cooperative"]


@admin.register(Project)
class ProjectAdmin(ScopedAdmin, GISModelAdmin):
    write_roles = (Role.MANAGER,)
    list_display = ["code", "name", "standard", "country", "crediting_start", "crediting_end"]
    list_filter = ["standard", "country"]
    search_fields = ["code", "name", "methodology"]
    inlines = [ProjectCooperativeInline]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=projects_for(user=request.user).values("pk"))

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return request.user.is_superuser  # new projects are an installation-level decision


@admin.register(Cooperative)
class CooperativeAdmin(ScopedAdmin):
    write_roles = (Role.MANAGER,)
    list_display = ["code", "name", "ruc", "region", "contact_name", "contact_phone"]
    list_filter = ["region", "projects"]
    search_fields = ["code", "name", "ruc", "contact_name"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=cooperatives_for(user=request.user).values("pk"))


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["projects"]


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """People are managed by superusers only; the profile sets role, scope and language."""

    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "profile__role", "is_active"]
    list_filter = ["profile__role", "is_active", "is_superuser"]
