"""Malformed bodies to the buyer API: a 400 with the error shape, never a 500, nothing written."""

import pytest

from credits.models import LedgerEvent, Reservation
from pichanaki.parsers import JSON_MAX_DEPTH

pytestmark = pytest.mark.django_db


def post_raw(client, body: str):
    return client.generic("POST", "/api/v1/reservations/", body, content_type="application/json")


def test_a_thousand_nested_brackets_are_a_400_not_a_recursion_error(ledger, buyer_client):
    events = LedgerEvent.objects.count()
    response = post_raw(buyer_client, "[" * 1000)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert str(JSON_MAX_DEPTH) in error["message"]
    assert not Reservation.objects.exists()
    assert LedgerEvent.objects.count() == events


def test_nesting_within_the_limit_reaches_the_usual_validation(ledger, buyer_client):
    nested = "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1)
    code = ledger.personas.project_a.code
    body = f'{{"project": "{code}", "vintage": 2012, "quantity": {nested}}}'
    response = post_raw(buyer_client, body)
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]


def utf7(text: str) -> bytes:
    """`text` in UTF-7 with every character shifted to base64: no `[` byte is left."""
    import base64

    return b"+" + base64.b64encode(text.encode("utf-16-be")).rstrip(b"=") + b"-"


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("cp500", ("[" * 1000).encode("cp500")),  # EBCDIC: `[` is the byte 0x4A
        ("utf-7", utf7("[" * 1000)),
        ("utf-16", ("[" * 1000).encode("utf-16")),
    ],
)
def test_the_depth_bound_holds_in_any_charset_the_request_names(
    ledger, buyer_client, charset, body
):
    """The body is decoded with the charset of its Content-Type: the bound is measured on the
    decoded text, not on the bytes (where another charset hides every bracket)."""
    response = buyer_client.generic(
        "POST", "/api/v1/reservations/", body, content_type=f"application/json; charset={charset}"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not Reservation.objects.exists()


def test_a_body_that_is_not_in_its_charset_is_a_400(ledger, buyer_client):
    response = buyer_client.generic(
        "POST", "/api/v1/reservations/", b"\xff\xfe\xfd", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
