"""Retirement certificates: a PDF (WeasyPrint) in Spanish and English, with a public
verification URL, and the facts the verification page shows. No personal data: the
contributing parcels are summarised per cooperative (counts and units), never per person."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from credits.choices import BlockState
from credits.models import IssuanceContribution, Retirement

LANGUAGES = ("es", "en")


def verification_path(retirement: Retirement) -> str:
    with translation.override(None):
        return reverse("credits:verify", args=[retirement.verification_code])


def verification_url(retirement: Retirement) -> str:
    return settings.PUBLIC_BASE_URL + verification_path(retirement)


def certificate_url(retirement: Retirement) -> str:
    with translation.override(None):
        path = reverse("credits:certificate", args=[retirement.verification_code])
    return settings.PUBLIC_BASE_URL + path


@dataclass(frozen=True)
class CooperativeContribution:
    cooperative: str
    parcels: int
    units: int


def contributions(retirement: Retirement) -> list[CooperativeContribution]:
    """Per cooperative: parcels and units of the issuances the retired blocks come from."""
    issuance_ids = retirement.blocks.values("issuance_id")
    rows = (
        IssuanceContribution.objects.filter(issuance_id__in=issuance_ids)
        .values("smallholder__cooperative__name")
        .annotate(parcels=Count("parcel", distinct=True), units=Sum("units"))
        .order_by("smallholder__cooperative__name")
    )
    return [
        CooperativeContribution(
            cooperative=row["smallholder__cooperative__name"],
            parcels=row["parcels"],
            units=row["units"],
        )
        for row in rows
    ]


def retirement_context(retirement: Retirement) -> dict:
    blocks = (
        retirement.blocks.filter(state=BlockState.RETIRED)
        .select_related("project__registry")
        .order_by("serial_start")
    )
    return {
        "retirement": retirement,
        "project": retirement.project,
        "serials": [block.printed_serial for block in blocks],
        "contributions": contributions(retirement),
        "verification_url": verification_url(retirement),
        "certificate_url": certificate_url(retirement),
    }


def render_certificate_pdf(
    retirement: Retirement, *, languages: tuple[str, ...] = LANGUAGES
) -> bytes:
    """The certificate as PDF bytes: one page per language in `languages`."""
    from weasyprint import HTML  # heavy import, only when a certificate is rendered

    html = render_to_string(
        "credits/certificate.html",
        {**retirement_context(retirement), "languages": languages},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
