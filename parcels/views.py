"""Views of field data outside the admin: private files and parcel exports (staff only)."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from parcels import exports, selectors
from parcels.models import Parcel

#: query parameters the export views filter on, and the lookups they map to
EXPORT_FILTERS = {
    "project": "project_id",
    "cooperative": "smallholder__cooperative_id",
    "status": "status",
    "stratum": "stratum_id",
}


def private_file_response(field_file) -> FileResponse:
    """A private file as an attachment; missing files are 404, never a MEDIA_URL redirect."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=field_file.name.rsplit("/", 1)[-1])


@login_required
@require_GET
def eligibility_file(request: HttpRequest, pk: int) -> FileResponse:
    """A parcel's eligibility evidence, for the people who may see the parcel."""
    parcel = selectors.access_parcel(user=request.user, parcel_id=pk)
    return private_file_response(parcel.eligibility_file)


def filtered_parcels(request: HttpRequest) -> QuerySet[Parcel]:
    parcels = selectors.parcels_for(user=request.user)
    filters = {
        lookup: request.GET[name]
        for name, lookup in EXPORT_FILTERS.items()
        if request.GET.get(name)
    }
    try:
        return parcels.filter(**filters)
    except (ValueError, TypeError):
        raise Http404 from None


@login_required
@require_GET
def export_eudr(request: HttpRequest) -> HttpResponse:
    """The parcels the person may see (optionally filtered) as EUDR GeoJSON."""
    return exports.eudr_response(filtered_parcels(request))


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return exports.parcels_csv_response(filtered_parcels(request))
