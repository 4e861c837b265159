"""A change form whose save finds a lock busy shows "busy, try again" on the form, input kept.

The admin saves inside one transaction; a service that cannot have its lock in time
(`pichanaki.locking.LockTimeout`) rolls it back. `BusyAdmin` then renders the same POST once
more, with the form refusing to validate and showing the lock's message, so nothing is
written, nothing is lost and the person can press save again. Never a hang or a 500.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from pichanaki.locking import LockTimeout

BUSY_ATTRIBUTE = "_pichanaki_busy"


class BusyAdmin(admin.ModelAdmin):
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LockTimeout as exc:
            setattr(request, BUSY_ATTRIBUTE, exc.message)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        busy = getattr(request, BUSY_ATTRIBUTE, None)
        if busy is None:
            return form
        return type(form.__name__, (form,), {"clean": _refusing(form.clean, busy)})


def _refusing(clean, message: str):
    def refuse(self):
        clean(self)  # the form's own errors are shown too
        raise ValidationError(message, code="busy")

    return refuse
