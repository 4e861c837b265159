"""Outsiders check a payment-ledger head they kept, on the project's public benefits page and
through the API: still in the chain, a chain now shorter, or another hash at that position."""

import pytest
from django.conf import settings

from benefits.chain import TABLES
from benefits.models import PaymentChainHead
from credits.api.microcache import kept_head_cache
from credits.models import ProjectRegistry
from smallholders.models import Smallholder
from tests.benefits.test_chain import _pay, approved  # noqa: F401 (fixture)
from tests.credits.test_chain import superuser_bypass
from tests.pichanaki.chain_tamper import rewind, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(approved) -> tuple[int, str]:  # noqa: F811
    """The payment head as the benefits page published it, after approval and payments."""
    kept_head_cache.clear()
    _pay(approved)
    ProjectRegistry.objects.get_or_create(project=approved.project, defaults={"number": 1})
    head = PaymentChainHead.objects.get(project_id=approved.project_id)
    return head.length, head.head_hash


def _page(client, project, language: str, **query: object) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/projects/{project.code}/benefits/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_benefits_page_checks_a_kept_payment_head(client, approved, kept):  # noqa: F811
    length, digest = kept
    spanish = _page(client, approved.project, "es", position=length, hash=digest)
    assert "¿Guardó un hash de la cabeza? Compruébelo" in spanish
    assert 'action="#payment-ledger-head-check"' in spanish
    assert 'data-outcome="in_chain"' in spanish and f"La cadena tiene ahora {length}" in spanish
    holders = Smallholder.objects.filter(project=approved.project)
    secrets = [h.dni for h in holders] + [h.last_name for h in holders]
    assert not [secret for secret in secrets if secret in spanish]
    with superuser_bypass():
        rewind(TABLES, approved.project_id, keep=length - 1)
        cut = _page(client, approved.project, "en", position=length, hash=digest)
    assert 'data-outcome="shorter"' in cut and f"only {length - 1} events" in cut
    with superuser_bypass():
        rewrite(TABLES, approved.project_id, position=2, amount=1)
        now = TABLES.hash_at(approved.project_id, length)
        rewritten = _page(client, approved.project, "en", position=length, hash=digest)
    assert 'data-outcome="rewritten"' in rewritten and f"another hash: {now}." in rewritten


def test_the_api_checks_a_kept_payment_head(client, approved, kept):  # noqa: F811
    length, digest = kept
    url = f"/api/v1/kept-heads/payments/{approved.project.code}/"
    held = client.get(url, {"position": length, "hash": digest}).json()
    assert (held["ledger"], held["result"], held["length"]) == ("payments", "in_chain", length)
    with superuser_bypass():
        rewrite(TABLES, approved.project_id, position=1, amount=1)
        kept_head_cache.clear()
        changed = client.get(url, {"position": length, "hash": digest}).json()
    assert changed["result"] == "rewritten"
    assert changed["hash_at_position"] == changed["head_hash"] != digest
