"""Admin for API keys: managers create keys for buyer organisations or people and revoke them.

The key is shown once, in the message after creation; only its prefix and hash are stored.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from credits.models import ApiKey
from credits.models.access import generate_key, hash_key
from smallholders.admin_scoping import ScopedAdmin
from smallholders.choices import Role


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    write_roles = (Role.MANAGER,)
    list_display = [
        "name",
        "prefix",
        "organisation",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "organisation__name", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = [
        "name",
        "organisation",
        "user",
        "expires_at",
        "revoked_at",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    # Keys are the registry's, not a cooperative's: managers and verifiers, never staff.
    read_roles = (Role.MANAGER, Role.VERIFIER)

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead: the row documents who had access and when

    def save_model(self, request: HttpRequest, obj: ApiKey, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        new = generate_key()
        obj.prefix, obj.key_hash = new.prefix, hash_key(new.raw)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("The new API key is shown only this once; copy it now: %(key)s") % {"key": new.raw},
        )

    @admin.action(description=_("Revoke the selected keys now"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
        )
