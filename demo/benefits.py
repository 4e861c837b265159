"""Demo step: the demo's sales shared with the families under a 60%-of-gross policy.

The story: the project records the SBS exchange rate and a policy (60% of the gross to the
producers, 10% to the cooperative, 5% to its community fund, verification and registry costs
itemised); one family got an advance at planting; one parcel's latest survival count came in
under the 60% target, so its share is held in trust. The manager distributes, the verifier
approves, the bank confirms every payable line, and one family contests its line.

Runs through `benefits.services` only, adds only what is missing, returns whether it wrote.
Called from the demo's step list (`demo.steps.LATER_STEPS`) by name, so that the
ground floor never imports this app.
"""

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from benefits import payments, services
from benefits.models import Distribution, ExchangeRate, SharingPolicy
from benefits.sold import sold_parcels
from credits.selectors import confirmed_sales
from demo.clock import story_clock
from parcels.models import Planting
from parcels.services import update_field_record
from smallholders.choices import Role

if TYPE_CHECKING:
    from demo.steps import DemoContext

# The story after the retirement of March 2024 (demo.story.STORY_END is its last day):
# the policy and the SBS rate of the end of April, the distribution in May, the bank's
# confirmations in June, and a family's grievance two weeks later.
POLICY_ON = dt.date(2024, 5, 6)
DISTRIBUTED_ON = dt.date(2024, 5, 13)
APPROVED_ON = dt.date(2024, 5, 20)
PAID_ON = dt.date(2024, 6, 3)
GRIEVANCE_ON = dt.date(2024, 6, 17)
RATE = ExchangeRate(currency="USD", rate_to_pen=Decimal("3.752"), source="SBS (demo)",
                    rate_date=dt.date(2024, 4, 30))  # fmt: skip
POLICY = {
    "producers_share": Decimal("0.60"),
    "cooperative_share": Decimal("0.10"),
    "community_fund_share": Decimal("0.05"),
    "costs": [
        {"name": "verificación", "fraction": "0.06"},  # data typed in Spanish, like the rest
        {"name": "registro", "fraction": "0.02"},
    ],  # fmt: skip
    "survival_threshold": Decimal("0.60"),
    "max_years_since_monitoring": 12,  # the demo's survival counts are from 2016
    "advance_recovery_rate": Decimal("0.50"),
}


def step_benefit_sharing(ctx: "DemoContext", rng) -> bool:
    project = ctx.project
    if Distribution.objects.filter(project=project).exists():
        return False
    sales = list(confirmed_sales(project_id=project.pk))
    if not sales:
        return False
    users = _people(project)
    # Each event on its day of the story (the demo's dates follow its order, tested).
    with story_clock(POLICY_ON):
        if not ExchangeRate.objects.filter(currency="USD").exists():
            services.record_exchange_rate(currency=RATE.currency, rate_to_pen=RATE.rate_to_pen,
                                          source=RATE.source, rate_date=RATE.rate_date)  # fmt: skip
        if not SharingPolicy.objects.filter(project=project).exists():
            services.create_policy(project=project, actor=users["manager"], **POLICY)
        parcels = sorted({p.parcel_id for p in sold_parcels(sales) if p.units})
        _low_survival(parcels)
        _advance(project, parcels)
    with story_clock(DISTRIBUTED_ON):
        distribution = services.create_distribution(project=project, actor=users["manager"])
    with story_clock(APPROVED_ON):
        services.approve_distribution(distribution_id=distribution.pk, actor=users["verifier"])
    with story_clock(PAID_ON):
        _pay(distribution, users["manager"])
    line = distribution.lines.filter(amount__gt=0).order_by("pk").last()
    staff = (
        get_user_model()
        .objects.filter(profile__role=Role.STAFF, profile__cooperative=line.smallholder.cooperative)
        .first()
    )
    complaint = "La familia indica que su parcela tiene más árboles vivos que los contados."
    with story_clock(GRIEVANCE_ON):
        services.file_grievance(
            line_id=line.pk, actor=staff or users["manager"], description=complaint
        )
    return True


def _people(project) -> dict:
    users = get_user_model().objects.filter(profile__isnull=False)
    return {
        "manager": users.filter(profile__role=Role.MANAGER, profile__projects=project).first(),
        "verifier": users.filter(profile__role=Role.VERIFIER).first()
        or get_user_model().objects.filter(is_superuser=True).first(),
    }


def _low_survival(parcel_ids: list[int]) -> None:
    """The first contributing parcel's latest counts were low (a dry year): 45% alive, under
    the 60% target. Corrected through the field-data service (validated, with history)."""
    for planting in Planting.objects.filter(parcel_id__in=parcel_ids[:1]).order_by("pk"):
        count = planting.survival_counts.order_by("-counted_on").first()
        if count is not None:
            alive = int(planting.trees_planted * 0.45)
            update_field_record(record=count, fields={"trees_alive": min(alive, count.trees_alive)})


def _advance(project, parcel_ids: list[int]) -> None:
    """S/ 2 per tree planted, paid at planting, to the second contributing parcel's family."""
    planting = Planting.objects.filter(parcel_id__in=parcel_ids[1:2]).order_by("pk").first()
    if planting is None:
        return
    services.record_advance(
        project=project, smallholder_id=planting.parcel.smallholder_id,
        amount=Decimal(2 * planting.trees_planted), paid_on=planting.planted_on,
        reason="S/ 2 por árbol al plantar / S/ 2 per tree at planting",
    )  # fmt: skip


def _pay(distribution: Distribution, manager) -> None:
    """The bank confirms every payable line (what the export listed), on PAID_ON."""
    rows = payments.payment_rows(distribution_id=distribution.pk)
    text = io.StringIO()
    text.write(",".join(payments.IMPORT_HEADERS) + "\n")
    for row in rows:
        line, dni, _name, amount = row[0], row[1], row[2], row[3]
        text.write(f"{line},{dni},{amount},PEN,bank,BCP-{line:06d},{PAID_ON:%Y-%m-%d}\n")
    if rows:
        payments.import_confirmations(distribution_id=distribution.pk,
                                      data=text.getvalue().encode(), filename="banco.csv",
                                      actor=manager)  # fmt: skip
