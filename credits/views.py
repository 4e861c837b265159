"""Public registry pages: projects, issuances, retirements, buffer, serial lookup and
certificate verification. Anonymous and read-only; no personal data is ever shown."""

import uuid

from django.db.models import Prefetch, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from rest_framework import exceptions

from credits.api.lookup import find_serial
from credits.certificates import LANGUAGES, render_certificate_pdf, retirement_context
from credits.choices import BlockState, UnitType
from credits.kept_heads import kept_head_context
from credits.models import CreditVintage, Issuance, LedgerChainHead, Retirement, SerialBlock
from credits.project_facts import project_facts
from pichanaki.maps import READONLY_MAP_MEDIA, readonly_map
from smallholders.models import Project

TOTALS = ("issued", "available", "reserved", "held", "buffer", "retired", "cancelled")


def _totals(projects: list[Project]) -> dict[int, list[dict]]:
    """Per project, one row of totals per unit type (PER, then VER): ex-ante and verified
    units are different things and are never added together. One query for all projects."""
    sums = (
        CreditVintage.objects.filter(project__in=projects)
        .values("project_id", "unit_type")
        .annotate(**{name: Sum(name) for name in TOTALS})
        .order_by("project_id", "unit_type")
    )
    labels = dict(UnitType.choices)
    totals: dict[int, list[dict]] = {project.pk: [] for project in projects}
    for row in sums:
        row["label"] = labels[row["unit_type"]]
        totals[row["project_id"]].append(row)
    return totals


def project_list(request: HttpRequest) -> HttpResponse:
    projects = list(Project.objects.filter(registry__isnull=False).order_by("name"))
    totals = _totals(projects)
    rows = [{"project": project, "totals": totals[project.pk]} for project in projects]
    return render(request, "credits/project_list.html", {"rows": rows})


def _retirements(project: Project) -> list[Retirement]:
    retired_blocks = (
        SerialBlock.objects.filter(state=BlockState.RETIRED)
        .select_related("project__registry")
        .order_by("serial_start")
    )
    return list(
        Retirement.objects.filter(project=project)
        .prefetch_related(Prefetch("blocks", queryset=retired_blocks, to_attr="retired_blocks"))
        .order_by("-retired_on", "-pk")[:200]
    )


def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.filter(registry__isnull=False), code=code)
    context = {
        "project": project,
        "facts": project_facts(project),
        "totals": _totals([project])[project.pk],
        "area_map": readonly_map(project.area, label=_("Map of the project area"))
        if project.area
        else "",
        "map_media": READONLY_MAP_MEDIA,
        "issuances": Issuance.objects.filter(project=project).order_by("vintage", "issued_at"),
        "retirements": _retirements(project),
        "ledger_head": LedgerChainHead.objects.filter(project=project).first(),
        "kept": kept_head_context(request, ledger_key="credits", project=project),
    }
    return render(request, "credits/project_detail.html", context)


def serial_lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("serial", "").strip()
    context: dict = {"query": query}
    if query:
        try:
            context["found"] = find_serial(query)
        except (exceptions.ValidationError, exceptions.NotFound) as exc:
            context["error"] = _first_error(exc)
    return render(request, "credits/serial_lookup.html", context)


def _first_error(exc: exceptions.APIException) -> str:
    detail = exc.detail
    while isinstance(detail, dict | list) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail)


def _retirement(code: uuid.UUID) -> Retirement:
    return get_object_or_404(Retirement.objects.select_related("project"), verification_code=code)


def verify_retirement(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    context = retirement_context(_retirement(code))
    return render(request, "credits/verify.html", context)


def certificate_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The PDF in both languages, or only the one asked for with ?lang=es|en."""
    retirement = _retirement(code)
    lang = request.GET.get("lang")
    languages = (lang,) if lang in LANGUAGES else LANGUAGES
    response = HttpResponse(
        render_certificate_pdf(retirement, languages=languages), content_type="application/pdf"
    )
    filename = f"certificate-{retirement.verification_code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
