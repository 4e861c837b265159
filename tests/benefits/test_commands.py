"""The command-line tools: preview (writes nothing) and family statements."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benefits.models import Distribution

pytestmark = pytest.mark.django_db

KEYS = {"currency", "gross", "costs", "producers_pool", "producers_share", "cooperative",
        "community_fund", "families"}  # fmt: skip
FAMILY_KEYS = {"smallholder", "units", "share", "held_in_trust", "advance_recovered", "amount"}


def preview(*args: str) -> dict:
    out = StringIO()
    call_command("distribution_preview", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_preview_prints_the_exact_keys_and_writes_nothing(sold):
    data = preview("--project", sold.project.code)
    assert set(data) == KEYS and data["currency"] == "PEN"
    assert all(set(f) == FAMILY_KEYS for f in data["families"])
    shares = sum(Decimal(f["share"]) for f in data["families"])
    assert shares == Decimal(data["producers_pool"])
    assert Decimal(data["producers_share"]) >= Decimal("0.60")
    for f in data["families"]:
        assert Decimal(f["amount"]) == Decimal(f["share"]) - Decimal(f["held_in_trust"]) - Decimal(
            f["advance_recovered"]
        )
    assert {f["smallholder"] for f in data["families"]} == {
        p.smallholder.dni for p in sold.ledger.parcels
    }
    assert sum(f["units"] for f in data["families"]) == 150
    assert not Distribution.objects.exists()


def test_preview_of_one_sale_and_a_policy_version(sold):
    data = preview(
        "--project", sold.project.code, "--sales", str(sold.sales[1].pk), "--policy", "1"
    )
    assert sum(f["units"] for f in data["families"]) == 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nope"], "No project with code 'nope'"),
        (["--project", "pa", "--sales", "1,x"], "--sales must be sale ids"),
        (["--project", "pa", "--sales", "999999"], "999999"),
        (["--project", "pa", "--policy", "7"], "has no sharing policy v7"),
    ],
)
def test_preview_errors_name_the_problem(sold, args, message):
    with pytest.raises(CommandError, match=message):
        preview(*args)
