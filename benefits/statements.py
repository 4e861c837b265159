"""Family statements: what a family's parcels gave, what their share was, what was deducted,
paid and held in trust, and why; a PDF (Spanish, then English) with a verification code and QR,
and a short text for SMS/WhatsApp. The public verification page shows totals only."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from benefits.choices import DistributionStatus, LineStatus
from benefits.models import (
    ClawbackDeduction,
    DistributionLine,
    PaymentEvent,
    Statement,
    TrustHold,
)
from benefits.provenance import block_parts
from benefits.reversals import reversals_against
from credits.selectors import units_contributed
from parcels.selectors import parcel_facts
from smallholders.models import Project, Smallholder

LANGUAGES = ("es", "en")
SMS_LIMIT = 300
ZERO = Decimal("0.00")


def statement_facts(*, smallholder: Smallholder, project: Project, period: int | None) -> dict:
    """Everything a statement prints, from approved distributions (of `period`, if given)."""
    lines = DistributionLine.objects.filter(
        smallholder=smallholder,
        distribution__project=project,
        distribution__status=DistributionStatus.APPROVED,
    ).select_related("distribution__policy")
    if period is not None:
        lines = lines.filter(distribution__approved_at__year=period)
    lines = list(lines.order_by("distribution__approved_at", "pk"))
    paid = list(
        PaymentEvent.objects.filter(line__in=lines, status=LineStatus.PAID).order_by("paid_on")
    )
    holds = list(TrustHold.objects.filter(line__in=lines).select_related("parcel"))
    own_parcels = parcel_facts(parcel_ids=smallholder.parcels.values_list("pk", flat=True))
    codes = {pk: f.code for pk, f in own_parcels.items()}
    grievances = [g for line in lines for g in line.grievances.all()]
    reversals = reversals_against(lines)
    deductions = _deductions(lines)
    for line in lines:
        line.block_parts = block_parts(line, codes)
        line.sold_blocks = [b.serial for b in line.block_parts]
        line.reversals = reversals.get(line.pk, [])
        line.deductions = deductions.get(line.pk, [])
    against = [r for rs in reversals.values() for r in rs]
    totals = {
        "share": sum((x.share for x in lines), ZERO),
        "held_in_trust": sum((h.amount for h in holds if h.status == "held"), ZERO),
        "advance_recovered": sum((x.advance_recovered for x in lines), ZERO),
        # deducted from these lines for reversals of earlier payments (benefits.reversals)
        "clawed_back": sum((x.clawed_back for x in lines), ZERO),
        "paid": sum((e.amount for e in paid), ZERO),
        # for reversals against these lines: what the policy takes back, and what is taken
        "owed": sum((r.owed for r in against), ZERO),
        "taken_back": sum((r.taken_back for r in against), ZERO),
    }
    totals["still_owed"] = totals["owed"] - totals["taken_back"]
    return {
        "smallholder": smallholder,
        "project": project,
        "period": period,
        "parcels": sorted(own_parcels.values(), key=lambda p: p.code),
        "tonnes": units_contributed(smallholder_id=smallholder.pk, year=period),
        "lines": lines,
        "payments": paid,
        "holds": holds,
        "grievances": grievances,
        "totals": totals,
        "has_reversals": bool(reversals),
    }


def _deductions(lines: list[DistributionLine]) -> dict[int, list[ClawbackDeduction]]:
    out: dict[int, list[ClawbackDeduction]] = {}
    rows = ClawbackDeduction.objects.filter(line__in=lines).select_related(
        "reversal", "source_line"
    )
    for d in rows.order_by("reversal__created_at", "pk"):
        out.setdefault(d.line_id, []).append(d)
    return out


def sms_text(statement: Statement, facts: dict) -> str:
    """The short Spanish text (≤ 300 characters) sent by SMS/WhatsApp."""
    t = facts["totals"]
    text = (
        f"{facts['project'].name[:40]} {statement.period or ''}: "
        f"su parte S/ {t['share']}, pagado S/ {t['paid']}, adelanto descontado "
        f"S/ {t['advance_recovered']}, en custodia S/ {t['held_in_trust']}. "
        f"Codigo {statement.short_code}: {verification_url(statement)}"
    )
    return text[:SMS_LIMIT]


@transaction.atomic
def issue_statement(*, smallholder: Smallholder, project: Project, period: int | None) -> tuple:
    """Record a statement (its totals, code and SMS text); returns (statement, facts)."""
    facts = statement_facts(smallholder=smallholder, project=project, period=period)
    statement = Statement(
        project=project, smallholder=smallholder, period=period, sms_text="",
        totals={k: str(v) for k, v in facts["totals"].items()}, created_at=timezone.now(),
    )  # fmt: skip
    statement.sms_text = sms_text(statement, facts)
    statement.save()
    return statement, facts


def verification_url(statement: Statement) -> str:
    with translation.override(None):
        path = reverse("benefits:verify-statement", args=[statement.code])
    return settings.PUBLIC_BASE_URL + path


def qr_svg(url: str) -> str:
    import segno  # pure Python; only when a statement is printed

    return segno.make(url, error="m").svg_inline(scale=3, border=2)


def statement_html(statement: Statement, facts: dict, languages=LANGUAGES) -> str:
    url = verification_url(statement)
    return render_to_string(
        "benefits/statement.html",
        {**facts, "statement": statement, "languages": languages, "verification_url": url,
         "qr": qr_svg(url), "today": timezone.localdate()},
    )  # fmt: skip


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only when a statement is rendered

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def public_statement(code: object) -> Statement | None:
    return Statement.objects.select_related("project").filter(Q(code=code)).first()
