"""The pure hash chain: canonical content, link hashes and where a chain breaks."""

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

import pytest

from pichanaki.hashchain import (
    CONTENT,
    DUPLICATE,
    GENESIS,
    HEAD,
    MISSING,
    PREVIOUS,
    Link,
    canonical_json,
    first_break,
    link_hash,
)


def _chain(contents: list[dict]) -> list[Link]:
    links, previous = [], GENESIS
    for position, content in enumerate(contents, start=1):
        digest = link_hash(content, previous)
        links.append(Link(position, position, content, previous, digest))
        previous = digest
    return links


def _head(links: list[Link]) -> dict:
    return {"head_length": len(links), "head_hash": links[-1].digest if links else GENESIS}


def test_the_canonical_form_sorts_keys_and_writes_values_as_strings():
    lima = dt.timezone(dt.timedelta(hours=-5))
    content = {
        "b": Decimal("15.00"),
        "a": dt.datetime(2024, 5, 1, 7, 0, 0, 123456, tzinfo=lima),
        "c": [dt.date(2024, 5, 1), (1, 2)],
        "d": uuid.UUID(int=1),
        "é": None,
    }
    assert (
        canonical_json(content)
        == (
            '{"a":"2024-05-01T12:00:00.123456+00:00","b":"15.00","c":["2024-05-01",[1,2]],'
            '"d":"00000000-0000-0000-0000-000000000001","é":null}'
        ).encode()
    )


def test_a_datetime_hashes_the_same_in_any_time_zone():
    utc = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    lima = utc.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert link_hash({"at": utc}, GENESIS) == link_hash({"at": lima}, GENESIS)


def test_floats_are_refused():
    with pytest.raises(TypeError, match="float"):
        canonical_json({"price": 1.5})


def test_a_link_hash_is_sha256_of_the_previous_hash_and_the_content():
    expected = hashlib.sha256(GENESIS.encode() + b'\n{"q":1}').hexdigest()
    assert link_hash({"q": 1}, GENESIS) == expected
    assert link_hash({"q": 1}, "1" * 64) != expected


def test_an_intact_chain_has_no_break():
    links = _chain([{"q": i} for i in range(5)])
    assert first_break(links, **_head(links)) is None
    assert first_break([], head_length=0, head_hash=GENESIS) is None


def test_an_edited_link_is_named():
    links = _chain([{"q": i} for i in range(5)])
    edited = Link(3, 3, {"q": 99}, links[2].previous, links[2].digest)
    found = first_break([*links[:2], edited, *links[3:]], **_head(links))
    assert (found.key, found.reason) == (3, CONTENT)


def test_a_deleted_link_is_seen_at_the_next_one():
    links = _chain([{"q": i} for i in range(5)])
    found = first_break([*links[:2], *links[3:]], **_head(links))
    assert (found.key, found.position, found.reason) == (4, 4, MISSING)


def test_an_inserted_link_is_seen():
    links = _chain([{"q": i} for i in range(5)])
    forged = Link("x", 3, {"q": "x"}, links[1].digest, link_hash({"q": "x"}, links[1].digest))
    found = first_break([*links[:2], forged, *links[2:]], **_head(links))
    assert (found.key, found.reason) == (3, DUPLICATE)


def test_a_renumbered_chain_is_seen_at_the_link_after_the_insertion():
    links = _chain([{"q": i} for i in range(3)])
    forged = Link("x", 2, {"q": "x"}, links[0].digest, link_hash({"q": "x"}, links[0].digest))
    moved = [Link(k.key, k.position + 1, k.content, k.previous, k.digest) for k in links[1:]]
    found = first_break([links[0], forged, *moved], head_length=4, head_hash=moved[-1].digest)
    assert (found.key, found.reason) == (2, PREVIOUS)


def test_a_cut_or_extended_tail_is_seen_against_the_head():
    links = _chain([{"q": i} for i in range(5)])
    assert first_break(links[:4], **_head(links)).reason == HEAD
    assert first_break(links, head_length=4, head_hash=links[3].digest).reason == HEAD
