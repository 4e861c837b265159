"""Admin pages answer parameters that are not what they name as Django means to, never a 500.

Django builds a list's filters from the query string and catches what it cannot build, but a
date lookup it builds and the database cannot run (`?created_at__year=0`, a year past 9999) only
fails when the page is counted. An action filters the list by the posted selection as it comes
(`_selected_action=abc` fails in the action's query), and django-simple-history reads a past
version by the id in the address as it comes (`…/history/abc/`). `ParametersAdmin` gives each
the answer Django gives elsewhere: the "invalid filter" redirect (`?e=1`), a 400 and a 404.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class ParametersAdmin(admin.ModelAdmin):
    def get_changelist_instance(self, request: HttpRequest):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:  # raised compiling the query: nothing ran
            raise IncorrectLookupParameters(exc) from exc

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_key(self.model, value) for value in selected):
            message = _("The selection holds a value that is not the id of a row.")
            return render(request, "400.html", {"exception": message}, status=400)
        return super().response_action(request, queryset)


def is_key(model: type[Model], value: str) -> bool:
    """Whether `value` can be a primary key of `model` (an id, not `abc` or `1.5`)."""
    try:
        model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return True


def require_version_key(history_model: type[Model], version_id: str) -> None:
    """Http404 unless `version_id` can be the id of a past version (an address, not a row)."""
    if not is_key(history_model, version_id):
        raise Http404
