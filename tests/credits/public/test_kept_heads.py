"""Outsiders check a head they kept, on the project's registry page and through the API:
still in the chain, a chain now shorter, or another hash at that position (a superuser's cut
or rewrite, done with the triggers bypassed, which the chain alone does not show)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credits.api.microcache import kept_head_cache
from credits.api.throttles import AnonymousThrottle
from credits.chain import TABLES
from credits.models import LedgerChainHead
from smallholders.models import Smallholder
from tests.credits.test_chain import _history, superuser_bypass
from tests.pichanaki.chain_tamper import rewind, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_answers() -> None:
    kept_head_cache.clear()
    AnonymousThrottle.cache.clear()


@pytest.fixture
def kept(ledger) -> tuple[int, str]:
    """A head as the registry page published it, after some history."""
    _history(ledger)
    head = LedgerChainHead.objects.get(project_id=ledger.project_id)
    return head.length, head.head_hash


def _page(client, ledger, language: str, **query: object) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = f"/registry/projects/{ledger.personas.project_a.code}/"
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def _api(client, ledger, ledger_key: str = "credits", **query: object):
    code = ledger.personas.project_a.code
    return client.get(f"/api/v1/kept-heads/{ledger_key}/{code}/", query, HTTP_ACCEPT_LANGUAGE="en")


def test_the_page_has_the_form_under_the_head_in_both_languages(client, ledger, kept):
    spanish = _page(client, ledger, "es")
    assert "¿Guardó un hash de la cabeza? Compruébelo" in spanish
    assert 'action="#ledger-head-check"' in spanish and 'name="position"' in spanish
    english = _page(client, ledger, "en")
    assert "Did you keep a head hash? Check it" in english
    assert "Compruébelo" not in english


def test_a_head_still_in_the_chain_is_confirmed(client, ledger, kept):
    length, digest = kept
    # Copied with capitals and a line break: the digits are what count.
    pasted = f"{digest[:32].upper()}\n{digest[32:]}"
    page = _page(client, ledger, "es", position=length, hash=pasted)
    assert 'data-outcome="in_chain"' in page
    assert (
        f"Sí: el movimiento {length} de la cadena de este registro sigue teniendo ese hash" in page
    )
    earlier = _page(client, ledger, "en", position=2, hash=TABLES.hash_at(ledger.project_id, 2))
    yes = "Yes: event 2 of this registry&#x27;s chain still has that hash. The chain now holds"
    yes += f" {length} events."
    assert yes in earlier


def test_a_cut_chain_and_a_rewritten_one_are_told_apart(client, ledger, kept):
    length, digest = kept
    with superuser_bypass():
        rewind(TABLES, ledger.project_id, keep=length - 2)
        cut = _page(client, ledger, "en", position=length, hash=digest)
    with superuser_bypass():
        rewrite(TABLES, ledger.project_id, position=2, quantity=1)
        now = TABLES.hash_at(ledger.project_id, length)
        rewritten = _page(client, ledger, "en", position=length, hash=digest)
        spanish = _page(client, ledger, "es", position=length, hash=digest)
    assert 'data-outcome="shorter"' in cut
    assert f"No: the chain now holds only {length - 2} events, fewer than the {length}" in cut
    assert 'data-outcome="rewritten"' in rewritten
    assert f"No: event {length} of the chain now has another hash: {now}." in rewritten
    assert f"ahora tiene otro hash: {now}." in spanish and "was rewritten" not in spanish


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"position": "0", "hash": "a" * 64}, "greater than or equal to 1"),
        ({"position": "x", "hash": "a" * 64}, "Enter a whole number"),
        ({"position": "3", "hash": "abc"}, "A SHA-256 hash has 64 characters"),
        ({"position": "3"}, "This field is required"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_checked(client, ledger, kept, query, error):
    page = _page(client, ledger, "en", **query)
    assert error in page and 'role="alert"' in page
    assert "data-outcome" not in page


def test_the_answer_shows_nothing_personal(client, ledger, kept):
    length, digest = kept
    holders = Smallholder.objects.filter(pk__in=[p.smallholder_id for p in ledger.parcels])
    secrets = [h.dni for h in holders] + [h.last_name for h in holders]
    for language in ("es", "en"):
        page = _page(client, ledger, language, position=length, hash=digest)
        assert not [secret for secret in secrets if secret in page]


def test_the_api_answers_each_outcome(client, ledger, kept):
    length, digest = kept
    held = _api(client, ledger, position=length, hash=digest.upper())
    assert held.status_code == 200
    assert held.json() == {
        "ledger": "credits",
        "project": ledger.personas.project_a.code,
        "position": length,
        "hash": digest,
        "result": "in_chain",
        "length": length,
        "head_hash": digest,
        "hash_at_position": digest,
        "message": held.json()["message"],
    }
    with superuser_bypass():
        rewind(TABLES, ledger.project_id, keep=1)
        shorter = _api(client, ledger, position=length, hash="b" * 64).json()
    assert (shorter["result"], shorter["length"], shorter["hash_at_position"]) == (
        "shorter",
        1,
        None,
    )
    other = _api(client, ledger, position=1, hash="c" * 64).json()
    first = TABLES.hash_at(ledger.project_id, 1)
    assert (other["result"], other["hash_at_position"]) == ("rewritten", first)


def test_the_api_refuses_unknown_ledgers_projects_and_bad_queries(client, ledger, kept):
    length, digest = kept
    assert _api(client, ledger, "sales", position=1, hash=digest).status_code == 404
    unknown = client.get(f"/api/v1/kept-heads/credits/nope/?position=1&hash={digest}")
    assert unknown.status_code == 404
    for query in ({"position": 0, "hash": digest}, {"position": 1}, {"position": 1, "hash": "z"}):
        response = _api(client, ledger, **query)
        assert response.status_code == 400, query
    extra = _api(client, ledger, position=1, hash=digest, serial="x")
    assert extra.json()["error"]["fields"] == {"serial": ["Unknown query parameter."]}


def test_the_api_serves_repeats_from_memory(client, ledger, kept):
    length, digest = kept
    first = _api(client, ledger, position=length, hash=digest).json()
    with CaptureQueriesContext(connection) as queries:
        again = _api(client, ledger, position=length, hash=digest).json()
    assert again == first
    assert not [q for q in queries if "ledger" in q["sql"]]


def test_the_api_throttles_anonymous_callers(client, ledger, kept, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anonymous": "2/min",
            "buyer": "100/min",
            "buyer_write": "1/min",
        },
    }
    length, digest = kept
    codes = [_api(client, ledger, position=length, hash=digest).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
