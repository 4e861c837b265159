"""The panel's pages. Read-only: every figure comes from `backoffice.selectors`, every change
is made where it belongs (the admin's forms and the apps' services), one click away."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backoffice.report import render_report_pdf
from backoffice.selectors.access import access_panel_view, panel_projects
from backoffice.selectors.charts import CHARTS, charts
from backoffice.selectors.dashboard import dashboard
from backoffice.selectors.families import family_page, find_families
from backoffice.selectors.map import MEASURES, BadBox, map_features, parse_bbox
from backoffice.selectors.tiles import BadTile, cached_map_tile, tile_key
from backoffice.selectors.worklists import low_survival_cohorts, unmonitored_parcels, worklist
from pichanaki.exports import csv_response, xlsx_response
from smallholders.selectors import scope_for

PAGE_SIZE = 50
MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _report_years(view) -> list[int]:
    """Years of the project's life up to last year (the current year's report is not final)."""
    last = min(timezone.localdate().year - 1, view.project.crediting_end.year)
    return list(range(last, view.project.crediting_start.year - 1, -1))[:5]


def _edits(request: HttpRequest) -> bool:
    return scope_for(request.user).edits_field_data


def _view(request: HttpRequest, code: str):
    return access_panel_view(
        user=request.user, project_code=code, cooperative_code=request.GET.get("cooperative")
    )


@require_GET
@login_required
def panel_home(request: HttpRequest) -> HttpResponse:
    projects = list(panel_projects(user=request.user))
    if len(projects) == 1:
        return redirect("backoffice:dashboard", code=projects[0].code)
    return render(request, "backoffice/home.html", {"projects": projects})


@require_GET
@login_required
def project_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    view = _view(request, code)
    context = {
        "view": view,
        "report_years": _report_years(view),
        "board": dashboard(user=request.user, view=view),
        "work": worklist(user=request.user, view=view),
        "charts": charts(user=request.user, view=view),
        "can_review": scope_for(request.user).approves,
        "can_manage": scope_for(request.user).manages,
        "cooperatives": view.project.cooperatives.order_by("name"),
    }
    return render(request, "backoffice/dashboard.html", context)


@require_GET
@login_required
def project_map(request: HttpRequest, code: str) -> HttpResponse:
    view = _view(request, code)
    area = view.project.area
    extent = ",".join(f"{v:.6f}" for v in area.extent) if area and not area.empty else ""
    context = {
        "view": view,
        "measures": MEASURES,
        "tile_url": settings.PANEL_TILE_URL,
        # PostGIS cuts vector tiles; SpatiaLite answers GeoJSON by box (no ST_AsMVT there).
        "vector_tiles": settings.POSTGRES,
        "extent": extent,
    }
    return render(request, "backoffice/map.html", context)


@require_GET
@login_required
def map_data(request: HttpRequest, code: str) -> HttpResponse:
    view = _view(request, code)
    measure = request.GET.get("measure", "cooperative")
    if measure not in MEASURES:
        return HttpResponseBadRequest(_("Unknown measure."))
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
    except BadBox:
        return HttpResponseBadRequest(_("bbox must be west,south,east,north in degrees."))
    page = map_features(user=request.user, view=view, bbox=bbox, measure=measure)
    return HttpResponse(page.as_json(), content_type="application/json")


@require_GET
@login_required
def map_tile(request: HttpRequest, code: str, z: int, x: int, y: int) -> HttpResponse:
    """One vector tile of the map (PostGIS), cached; the browser asks again each time
    (`no-cache`) and gets a 304 while the project's map version has not moved."""
    if not settings.POSTGRES:
        raise Http404  # SpatiaLite has no ST_AsMVT: the page uses the GeoJSON answer there
    view = _view(request, code)
    try:
        key = tile_key(user=request.user, view=view, z=z, x=x, y=y)
    except BadTile as exc:
        raise Http404 from exc
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)  # the browser's copy is current: no tile read
    else:
        tile = cached_map_tile(user=request.user, view=view, z=z, x=x, y=y, key=key)
        response = HttpResponse(tile, content_type=MVT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


def _list_page(request: HttpRequest, code: str, *, title: str, rows, template: str):
    view = _view(request, code)
    page = Paginator(rows(user=request.user, view=view).order_by("pk"), PAGE_SIZE)
    context = {"view": view, "title": title, "page": page.get_page(request.GET.get("page"))}
    return render(request, template, context)


@require_GET
@login_required
def unmonitored(request: HttpRequest, code: str) -> HttpResponse:
    rows = lambda **kw: unmonitored_parcels(**kw).select_related("smallholder")  # noqa: E731
    return _list_page(
        request,
        code,
        title=_("Parcels not monitored"),
        rows=rows,
        template="backoffice/parcel_list.html",
    )


@require_GET
@login_required
def low_survival(request: HttpRequest, code: str) -> HttpResponse:
    rows = lambda **kw: low_survival_cohorts(**kw).select_related(  # noqa: E731
        "parcel", "species"
    )
    return _list_page(
        request,
        code,
        title=_("Plantings with low survival"),
        rows=rows,
        template="backoffice/planting_list.html",
    )


@require_GET
@login_required
def chart_download(request: HttpRequest, code: str, key: str, fmt: str) -> HttpResponse:
    """A chart's rows as they are drawn, for a spreadsheet: CSV or XLSX."""
    view = _view(request, code)
    if key not in CHARTS:
        raise Http404
    chart = CHARTS[key](user=request.user, view=view)
    name = f"{view.project.code}-{chart.key}"
    if fmt == "xlsx":
        return xlsx_response(chart.columns, chart.rows, name=name, title=chart.title)
    return csv_response(chart.columns, chart.rows, name=name)


@require_GET
@login_required
def families(request: HttpRequest, code: str) -> HttpResponse:
    view = _view(request, code)
    query = request.GET.get("q", "").strip()[:100]
    rows = find_families(user=request.user, view=view, query=query).select_related("cooperative")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"view": view, "query": query, "page": page, "can_edit": _edits(request)}
    return render(request, "backoffice/families.html", context)


@require_GET
@login_required
def family(request: HttpRequest, code: str, smallholder_id: int) -> HttpResponse:
    view = _view(request, code)
    context = {
        "view": view,
        "family": family_page(user=request.user, view=view, smallholder_id=smallholder_id),
        "can_edit": _edits(request),
    }
    return render(request, "backoffice/family.html", context)


@require_GET
@login_required
def annual_report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The year's report as a PDF in the reader's language (`?lang=en|es` to choose), for a
    year of the project's crediting period up to this year; any other year is not found."""
    view = _view(request, code)
    last = min(timezone.localdate().year, view.project.crediting_end.year)
    if not view.project.crediting_start.year <= year <= last:
        raise Http404
    language = request.GET.get("lang") or translation.get_language()
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    with translation.override(language):
        pdf = render_report_pdf(user=request.user, view=view, year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{view.project.code}-{year}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
