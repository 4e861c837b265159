"""The hash chain of payment events, step 2: give each existing event its project (its line's
distribution's) and chain each project's events in the order they were written (primary key);
set each project's head. No append-only trigger exists yet (step 3 adds it)."""

from django.db import migrations

from benefits.chain import CONTENT_FIELDS, event_content
from pichanaki.hashchain import GENESIS, link_hash

PROJECT = "line__distribution__project_id"


def backfill(apps, schema_editor):
    PaymentEvent = apps.get_model("benefits", "PaymentEvent")
    PaymentChainHead = apps.get_model("benefits", "PaymentChainHead")
    fields = [f for f in CONTENT_FIELDS if f not in ("sequence", "project_id")]
    project_ids = PaymentEvent.objects.order_by().values_list(PROJECT, flat=True).distinct()
    for project_id in sorted(set(project_ids)):
        previous, sequence = GENESIS, 0
        rows = PaymentEvent.objects.filter(**{PROJECT: project_id}).order_by("pk")
        for row in rows.values("pk", *fields):
            sequence += 1
            values = {**row, "sequence": sequence, "project_id": project_id}
            digest = link_hash(event_content(values), previous)
            PaymentEvent.objects.filter(pk=row["pk"]).update(
                project_id=project_id, sequence=sequence, previous_hash=previous, chain_hash=digest
            )
            previous = digest
        PaymentChainHead.objects.create(project_id=project_id, length=sequence, head_hash=previous)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0002_payment_chain_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
