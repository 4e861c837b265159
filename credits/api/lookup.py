"""Reads behind the public endpoints: availability per project and serial lookup."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from credits.api.errors import bad_serial
from credits.choices import BlockState
from credits.models import CreditVintage, LedgerEvent, ProjectRegistry, SerialBlock
from credits.project_facts import facts_as_dict, project_facts
from credits.serials import SerialFormatError, SerialRange, format_range, parse_serial
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
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _vintages(query: dict) -> QuerySet[CreditVintage]:
    vintages = CreditVintage.objects.filter(available__gt=0)
    if "vintage" in query:
        vintages = vintages.filter(vintage=query["vintage"])
    if "unit_type" in query:
        vintages = vintages.filter(unit_type=query["unit_type"])
    return vintages.order_by("unit_type", "vintage")


def projects_with_availability(query: dict) -> QuerySet[Project]:
    """Projects with units available under the filters, each with its vintages prefetched."""
    vintages = _vintages(query)
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
            "code": project.code, "name": project.name, "standard": project.standard,
            "methodology": project.methodology, "country": project.country,
            "region": project.region, **facts,
        },
        "availability": [
            {"unit_type": v.unit_type, "vintage": v.vintage, "available": v.available}
            for v in project.available_vintages
        ],
    }


def _project_of(parsed: SerialRange) -> Project:
    registry = (
        ProjectRegistry.objects.select_related("project")
        .filter(prefix=parsed.prefix, number=parsed.project_number,
                project__country=parsed.country)
        .first()
    )
    if registry is None:
        raise SerialNotFound(_("No project of this registry has these serials."))
    return registry.project


def _block_for(project: Project, parsed: SerialRange) -> SerialBlock:
    blocks = SerialBlock.objects.filter(
        project=project, unit_type=parsed.unit_type, vintage=parsed.vintage
    ).select_related("project__registry", "account", "retirement")
    if parsed.start == parsed.end:
        # One serial: the live block that contains it now.
        blocks = blocks.filter(serial_start__lte=parsed.start, serial_end__gte=parsed.start)
        blocks = blocks.exclude(state=BlockState.SUPERSEDED)
    else:
        # A printed block: that exact range, live first, else its latest superseded version.
        blocks = blocks.filter(serial_start=parsed.start, serial_end=parsed.end)
    candidates = list(blocks.order_by("-created_at", "-pk")[:20])
    live = [b for b in candidates if b.state != BlockState.SUPERSEDED]
    if not candidates:
        raise SerialNotFound(_("These serials were never issued."))
    return live[0] if live else candidates[0]


def _lineage_events(block: SerialBlock) -> list[LedgerEvent]:
    """Events of the block and its ancestors: each one moved (a superset of) these serials."""
    event_ids = [block.superseded_event_id] if block.superseded_event_id else []
    current: SerialBlock | None = block
    while current is not None:
        event_ids.append(current.created_event_id)
        current = current.parent
    return list(LedgerEvent.objects.filter(pk__in=event_ids).order_by("created_at", "pk"))


def _printed_ranges(event: LedgerEvent, block: SerialBlock) -> list[str]:
    registry = block.project.registry
    return [
        format_range(
            prefix=registry.prefix, country=block.project.country,
            project_number=registry.number, unit_type=event.unit_type,
            vintage=event.vintage, start=start, end=end,
        )
        for start, end in event.serials
    ]


def _retirement_facts(block: SerialBlock) -> dict | None:
    retirement = block.retirement
    if retirement is None:
        return None
    from credits.certificates import certificate_url, verification_url

    return {
        "beneficiary": retirement.beneficiary, "purpose": retirement.purpose,
        "retired_on": retirement.retired_on.isoformat(), "quantity": retirement.quantity,
        "verification_code": str(retirement.verification_code),
        "verification_url": verification_url(retirement),
        "certificate_url": certificate_url(retirement),
    }


def find_serial(text: str) -> dict:
    """The block holding a serial (or an exact printed block), its holder kind, retirement and
    history. Raises 400 for a malformed serial, 404 for one never issued."""
    try:
        parsed = parse_serial(text)
    except SerialFormatError as exc:
        raise bad_serial(exc) from exc
    block = _block_for(_project_of(parsed), parsed)
    return {
        "query": str(parsed) if parsed.start != parsed.end else text.strip().upper(),
        "block": block,
        "holder": block.account.get_kind_display(),
        "retirement": _retirement_facts(block),
        "history": [
            {
                "kind": event.kind, "kind_display": event.get_kind_display(),
                "quantity": event.quantity, "serials": _printed_ranges(event, block),
                "created_at": event.created_at,
            }
            for event in _lineage_events(block)
        ],
    }
