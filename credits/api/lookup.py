"""Reads behind the public endpoints: availability per project and serial lookup."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from credits.api.errors import bad_serial
from credits.models import LedgerEvent, SerialBlock
from credits.project_facts import facts_as_dict, project_facts
from credits.selectors import availability, lookup_serial
from credits.serials import SerialFormatError, project_range
from smallholders.models import Project

PAGINATION_PARAMETERS = {"page", "page_size", "format"}


class SerialNotFound(exceptions.NotFound):
    default_code = "serial_not_found"


def strict_query(request: Request, serializer_class: type[Serializer]) -> dict:
    """Validated query parameters; unknown ones are an error, never silently ignored."""
    serializer = serializer_class(data=request.query_params)
    unknown = set(request.query_params) - set(serializer.fields) - PAGINATION_PARAMETERS
    if unknown:
        raise exceptions.ValidationError(
            {name: [_("Unknown query parameter.")] for name in sorted(unknown)},
            code="unknown_parameter",
        )
    blank = sorted(name for name, value in request.query_params.items() if value == "")
    if blank:  # a serializer would take an empty value for "not given"
        raise exceptions.ValidationError({name: [_("A value is required.")] for name in blank})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def projects_with_availability(query: dict) -> QuerySet[Project]:
    """Projects with units available under the filters, each with its vintages prefetched."""
    vintages = availability(vintage=query.get("vintage"), unit_type=query.get("unit_type")).filter(
        available__gt=0
    )
    projects = Project.objects.filter(Exists(vintages.filter(project=OuterRef("pk")))).defer(
        "area"  # only needed when the (cached) facts are recomputed
    )
    if "project" in query:
        projects = projects.filter(code=query["project"])
    return projects.prefetch_related(
        Prefetch("credit_vintages", queryset=vintages, to_attr="available_vintages")
    ).order_by("code")


def project_availability(project: Project, query: dict) -> dict:
    facts = facts_as_dict(project_facts(project))
    return {
        "project": {
            "code": project.code,
            "name": project.name,
            "standard": project.standard,
            "methodology": project.methodology,
            "country": project.country,
            "region": project.region,
            **facts,
        },
        "availability": [
            {"unit_type": v.unit_type, "vintage": v.vintage, "available": v.available}
            for v in project.available_vintages
        ],
    }


def _printed_ranges(event: LedgerEvent, block: SerialBlock) -> list[str]:
    return [
        project_range(
            block.project,
            unit_type=event.unit_type,
            vintage=event.vintage,
            start=start,
            end=end,
        )
        for start, end in event.serials
    ]


def _retirement_facts(block: SerialBlock) -> dict | None:
    retirement = block.retirement
    if retirement is None:
        return None
    from credits.certificates import certificate_url, verification_url

    return {
        "beneficiary": retirement.beneficiary,
        "purpose": retirement.purpose,
        "retired_on": retirement.retired_on.isoformat(),
        "quantity": retirement.quantity,
        "verification_code": str(retirement.verification_code),
        "verification_url": verification_url(retirement),
        "certificate_url": certificate_url(retirement),
    }


def find_serial(text: str) -> dict:
    """The live block holding a serial (or a printed range), its holder kind, retirement and
    history (`credits.selectors.lookup_serial`). 400 for a malformed serial, 404 for serials
    that no live block holds."""
    try:
        found = lookup_serial(text)
    except SerialFormatError as exc:
        raise bad_serial(exc) from exc
    except Http404 as exc:
        raise SerialNotFound(_("No live block holds these serials.")) from exc
    block = found.block
    return {
        "query": text.strip().upper(),
        "block": block,
        "holder": block.account.get_kind_display(),
        "retirement": _retirement_facts(block),
        "history": [
            {
                "kind": event.kind,
                "kind_display": event.get_kind_display(),
                "quantity": event.quantity,
                "serials": _printed_ranges(event, block),
                "created_at": event.created_at,
            }
            for event in found.events
        ],
    }
