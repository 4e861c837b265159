from django.db import migrations, models


def close_extra_open_memberships(apps, schema_editor):
    """Before the constraint: a family left with two open memberships (by the admin's old
    editable inline) keeps the one its `cooperative` names (else the latest joined); the others
    are closed the day it began (never before their own start), as a move would have done."""
    Membership = apps.get_model("smallholders", "CooperativeMembership")
    open_rows = Membership.objects.filter(left_on__isnull=True).select_related("smallholder")
    by_family: dict[int, list] = {}
    for membership in open_rows.order_by("smallholder_id", "-joined_on", "-pk"):
        by_family.setdefault(membership.smallholder_id, []).append(membership)
    for memberships in by_family.values():
        if len(memberships) < 2:
            continue
        current = memberships[0].smallholder.cooperative_id
        kept = next((m for m in memberships if m.cooperative_id == current), memberships[0])
        for membership in memberships:
            if membership.pk != kept.pk:
                membership.left_on = max(kept.joined_on, membership.joined_on)
                membership.save(update_fields=["left_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("smallholders", "0002_name_index"),
    ]

    operations = [
        migrations.RunPython(close_extra_open_memberships, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="cooperativemembership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("left_on__isnull", True)),
                fields=("smallholder",),
                name="smallholders_cooperativemembership_one_open",
                violation_error_message="A family belongs to one cooperative at a time.",
            ),
        ),
    ]
