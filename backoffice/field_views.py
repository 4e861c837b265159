"""The technician's day in the panel: register a family, record a planting or a survival count.
Only people who edit field data in the view's scope reach these pages; everyone else gets 404,
like any object outside their scope."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from backoffice.forms import FamilyForm, PlantingForm, SurvivalForm, save_through
from backoffice.selectors.access import PanelView, access_panel_view
from parcels import services as parcel_services
from parcels.selectors import parcels_for, plantings_for
from smallholders import services as smallholder_services
from smallholders.models import Smallholder
from smallholders.selectors import access_smallholder, cooperatives_for, scope_for


def _editable_view(request: HttpRequest, code: str) -> PanelView:
    view = access_panel_view(
        user=request.user, project_code=code, cooperative_code=request.GET.get("cooperative")
    )
    if not scope_for(request.user).edits_field_data:
        raise Http404
    return view


def _family(request: HttpRequest, view: PanelView, smallholder_id: int) -> Smallholder:
    smallholder = access_smallholder(user=request.user, smallholder_id=smallholder_id)
    if smallholder.project_id != view.project.pk:
        raise Http404
    return smallholder


def _page(request: HttpRequest, view: PanelView, form: object, title: str, back: str):
    context = {"view": view, "form": form, "title": title, "back": back}
    return render(request, "backoffice/form.html", context)


def _saved(request: HttpRequest, form: forms.Form, write: Callable[[], object]) -> object | None:
    """The written object when the form was posted, valid, and the service accepted it."""
    if request.method != "POST" or not form.is_valid():
        return None
    return save_through(form, write)


@login_required
def register_family(request: HttpRequest, code: str) -> HttpResponse:
    view = _editable_view(request, code)
    cooperatives = cooperatives_for(user=request.user).filter(projects=view.project)
    form = FamilyForm(request.POST or None, cooperatives=cooperatives)
    created = _saved(
        request,
        form,
        lambda: smallholder_services.register_smallholder(
            project=view.project,
            cooperative=form.cleaned_data["cooperative"],
            dni=form.cleaned_data["dni"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            fields=form.extra_fields(),
        ),
    )
    if created is not None:
        messages.success(request, _("The family was registered."))
        return redirect("backoffice:family", code=code, smallholder_id=created.pk)
    back = f"/panel/{code}/families/"
    return _page(request, view, form, _("Register a family"), back)


@login_required
def record_planting(request: HttpRequest, code: str, smallholder_id: int) -> HttpResponse:
    view = _editable_view(request, code)
    family = _family(request, view, smallholder_id)
    parcels = parcels_for(user=request.user).filter(smallholder=family).order_by("code")
    form = PlantingForm(request.POST or None, parcels=parcels)
    if _saved(request, form, lambda: parcel_services.record_planting(**form.cleaned_data)):
        messages.success(request, _("The planting was recorded."))
        return redirect("backoffice:family", code=code, smallholder_id=family.pk)
    back = f"/panel/{code}/families/{family.pk}/"
    return _page(request, view, form, _("Record a planting"), back)


@login_required
def record_survival(request: HttpRequest, code: str, smallholder_id: int) -> HttpResponse:
    view = _editable_view(request, code)
    family = _family(request, view, smallholder_id)
    plantings = (
        plantings_for(user=request.user)
        .filter(parcel__smallholder=family)
        .select_related("parcel", "species")
        .order_by("parcel__code", "planted_on")
    )
    form = SurvivalForm(request.POST or None, plantings=plantings)
    if _saved(request, form, lambda: parcel_services.record_survival_count(**form.cleaned_data)):
        messages.success(request, _("The survival count was recorded."))
        return redirect("backoffice:family", code=code, smallholder_id=family.pk)
    back = f"/panel/{code}/families/{family.pk}/"
    return _page(request, view, form, _("Record a survival count"), back)
